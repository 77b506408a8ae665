import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '@app/core';
import { buildDataSourceOptions } from '@app/database';
import { ALL_ENTITIES } from './apps/api/src/entities';

/** TypeORM CLI entry: the same options as the app, from the same environment variables. */
export default new DataSource(buildDataSourceOptions(loadConfig(), ALL_ENTITIES));
