import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { isHarnessError } from '../errors/harness-error.ts';
import { migrateCommand } from './migrate-command.ts';
import { servicesCommand } from './services-command.ts';
import { contractExportCommand } from './contract-export-command.ts';
import { validateCommand } from './validate-command.ts';
import { buffer } from 'node:stream/consumers';

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

program
  .command('validate')
  .description('check JSON messages (one, or JSON lines) against the contract; exit 1 on any violation')
  .argument('[file]', 'a file, or - for standard input', '-')
  .option('--channel <name>', 'the channel the messages are for (decides the expected kind)')
  .option('--json', 'one JSON verdict per line, for machines', false)
  .option('--lines', 'treat the input as JSON lines')
  .option('--no-lines', 'treat the input as one message')
  .action(async (file: string, options: { channel?: string; json: boolean; lines?: boolean }) => {
    process.exitCode = await validateCommand(file, options, {
      readStdin: () => buffer(process.stdin),
      write: (line) => process.stdout.write(`${line}\n`),
    });
  });

program
  .command('contract')
  .description('the published contract artefacts')
  .command('export')
  .description('write contract/schemas/*.schema.json and contract/asyncapi.json from src/contract')
  .action(() => contractExportCommand());

try {
  await program.parseAsync();
} catch (error) {
  if (!isHarnessError(error)) throw error;
  console.error(`tickstock: [${error.code}] ${error.message}`);
  process.exitCode = 2; // 1 is kept for "ran, and found violations"
}
