/** `.mycli.yaml`: the project's run settings (DESIGN.md §5). */
import { readFile } from 'node:fs/promises';
import schema from '../../schemas/mycli.schema.json';
import { checkBranch, checkEnvName, checkImage, checkRepo, checkWorkdir } from './contract';
import { configError } from './errors';
import { atKey, parseYaml, validateYaml } from './yamlFile';

export const PROJECT_CONFIG_NAME = '.mycli.yaml';

export interface ProjectConfig {
  repo?: string;
  branch?: string;
  image?: string;
  env?: Record<string, string>;
  timeout?: number;
  workdir?: string;
}

/** Parses and checks `.mycli.yaml` text; errors name the file, line and key. */
export function parseProjectConfig(file: string, text: string): ProjectConfig {
  const src = parseYaml(file, text);
  const config = validateYaml<ProjectConfig>(src, schema);
  if (config.repo !== undefined) atKey(src, ['repo'], () => checkRepo(config.repo!, { allowLocalRepos: true }));
  if (config.branch !== undefined) atKey(src, ['branch'], () => checkBranch(config.branch!));
  if (config.image !== undefined) atKey(src, ['image'], () => checkImage(config.image!));
  if (config.workdir !== undefined) atKey(src, ['workdir'], () => checkWorkdir(config.workdir!));
  for (const name of Object.keys(config.env ?? {})) atKey(src, ['env', name], () => checkEnvName(name));
  return config;
}

/** Reads a `.mycli.yaml`; undefined when the file does not exist. */
export async function readProjectConfig(file: string): Promise<ProjectConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw configError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseProjectConfig(file, text);
}

