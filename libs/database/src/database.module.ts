import { Global, Module } from '@nestjs/common';
import { TransactionRunner } from './transaction-runner';

/** Global so every lib's repository can take the one TransactionRunner. */
@Global()
@Module({ providers: [TransactionRunner], exports: [TransactionRunner] })
export class DatabaseModule {}
