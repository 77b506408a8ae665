export interface ThrowawayDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}
export function createThrowawayDatabase(adminUrl: string, name: string): Promise<ThrowawayDatabase>;
