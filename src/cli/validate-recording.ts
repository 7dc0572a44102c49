import { isChannelName } from '../contract/channels.ts';
import type { ConsumerProfile } from '../contract/consumer-profiles.ts';
import { validateForProfile } from '../contract/validate.ts';
import type { Violation } from '../contract/violations.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { messageBytes, readRecording } from '../sim/recording-file.ts';
import { violationText } from './validate-command.ts';

const FIRST_LISTED = 3;

interface ProfileTally {
  passed: number;
  failed: number;
  readonly first: { readonly line: number; readonly violations: readonly Violation[] }[];
}

interface ChannelTally {
  messages: number;
  /** False for a channel the contract does not name: its messages are counted, not judged. */
  readonly judged: boolean;
  readonly profiles: Map<string, ProfileTally>;
}

/**
 * `tickstock validate RECORDING`: every message of a recording (streamed) judged for its channel by
 * each profile; per channel, how many pass, with the first violations. Exit 1 on any violation.
 */
export async function validateRecording(
  path: string,
  profiles: readonly ConsumerProfile[],
  io: { write(line: string): void },
  json: boolean,
): Promise<number> {
  const channels = new Map<string, ChannelTally>();
  let source = '';
  let startedAt = '';
  for await (const entry of readRecording(path)) {
    if (entry.kind === 'header') {
      source = entry.header.source;
      startedAt = entry.header.started_at;
    }
    if (entry.kind !== 'message') continue;
    const { channel } = entry.message;
    let tally = channels.get(channel);
    if (tally === undefined) {
      tally = { messages: 0, judged: isChannelName(channel), profiles: new Map() };
      channels.set(channel, tally);
    }
    tally.messages += 1;
    if (!tally.judged) continue;
    const bytes = messageBytes(entry.message);
    for (const profile of profiles) {
      const verdict = validateForProfile(bytes, profile, { channel });
      let p = tally.profiles.get(profile.name);
      if (p === undefined) tally.profiles.set(profile.name, (p = { passed: 0, failed: 0, first: [] }));
      if (verdict.ok) p.passed += 1;
      else {
        p.failed += 1;
        if (p.first.length < FIRST_LISTED) p.first.push({ line: entry.line, violations: verdict.violations });
      }
    }
  }
  const failed = [...channels.values()].some((c) => [...c.profiles.values()].some((p) => p.failed > 0));
  const total = [...channels.values()].reduce((n, c) => n + c.messages, 0);
  if (json)
    io.write(
      JSON.stringify({
        type: 'recording',
        file: path,
        source,
        started_at: startedAt,
        messages: total,
        ok: !failed,
        channels: Object.fromEntries(
          [...channels].map(([name, c]) => [
            name,
            {
              messages: c.messages,
              judged: c.judged,
              profiles: Object.fromEntries(
                [...c.profiles].map(([profile, p]) => [
                  profile,
                  { passed: p.passed, failed: p.failed, first_violations: p.first },
                ]),
              ),
            },
          ]),
        ),
      }),
    );
  else {
    io.write(
      `${path}: ${total} messages on ${channels.size} channels (recorded ${startedAt} from ${source})`,
    );
    for (const [name, c] of channels) {
      if (!c.judged) {
        io.write(`  ${name}: ${c.messages} messages, not a channel of the contract (not judged)`);
        continue;
      }
      const verdicts = [...c.profiles]
        .map(([profile, p]) => `${profile} ✓ ${p.passed} ✗ ${p.failed}`)
        .join(' · ');
      io.write(`  ${name}: ${c.messages} messages · ${verdicts}`);
      for (const [profile, p] of c.profiles)
        for (const f of p.first)
          io.write(`    ✗ line ${f.line} (${profile}): ${f.violations.map(violationText).join('; ')}`);
    }
    io.write(failed ? 'result: violations found (exit 1)' : 'result: every judged message passed');
  }
  return failed ? ExitCode.problems : ExitCode.ok;
}
