import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command line the way every CLI of the hub does: -h/--help prints the usage and exits 0; an unknown or
 * malformed option prints what was wrong and the usage, and exits 2 (never a stack trace).
 */
export function commandLine<O extends Options>(
  usage: string | ((positionals: string[]) => string),
  options: O,
  allowPositionals = false,
) {
  const usageFor = (positionals: string[]) => (typeof usage === 'function' ? usage(positionals) : usage);
  try {
    const parsed = parseArgs({
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals,
      strict: true,
    });
    if ((parsed.values as { help?: boolean }).help) {
      console.log(usageFor(parsed.positionals));
      process.exit(0);
    }
    return parsed as unknown as {
      values: {
        [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : O[K]['multiple'] extends true ? string[] : string;
      };
      positionals: string[];
    };
  } catch (error) {
    console.error(
      `${(error as Error).message}\n\n${usageFor(process.argv.slice(2).filter((a) => !a.startsWith('-')))}`,
    );
    process.exit(2);
  }
}
