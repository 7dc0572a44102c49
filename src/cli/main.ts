import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { isHarnessError } from '../errors/harness-error.ts';
import { migrateCommand } from './migrate-command.ts';
import { servicesCommand } from './services-command.ts';

const program = new Command('tickstock')
  .description('Integration-test harness and simulator for the TickStock event pipeline')
  .showHelpAfterError();

program
  .command('demo')
  .description('the live demo on embedded services (so far: services up, schema migrated, URLs printed)')
  .option('--env-file <path>', 'where to write the URLs with passwords', '.tickstock/services.env')
  .action((options: { envFile: string }) => servicesCommand(loadConfig(), options));

program
  .command('services')
  .description('start PostgreSQL and Redis by the provider order, migrate, print their URLs, wait for Ctrl+C')
  .option('--env-file <path>', 'where to write the URLs with passwords', '.tickstock/services.env')
  .action((options: { envFile: string }) => servicesCommand(loadConfig(), options));

program
  .command('db')
  .description('database maintenance')
  .command('migrate')
  .description('apply the migrations to DATABASE_URL (idempotent)')
  .action(() => migrateCommand(loadConfig()));

try {
  await program.parseAsync();
} catch (error) {
  if (!isHarnessError(error)) throw error;
  console.error(`tickstock: [${error.code}] ${error.message}`);
  process.exitCode = 1;
}
