// Kysely's SQLite dialect, imported by database.ts only when the URL is sqlite: a Lambda bundle (always
// PostgreSQL or DynamoDB) keeps it in a chunk its cold starts never load.
export { SqliteDialect } from 'kysely';
