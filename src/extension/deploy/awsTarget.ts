/** Region and profile for Deploy / Destroy / Set Git Credentials: from the settings, else a picker. */
import * as vscode from 'vscode';
import { awsProfiles } from '../awsProfiles';
import { readSettings } from '../settings';

const REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1', 'sa-east-1'];
const ENVIRONMENT = 'Environment credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, instance role)';

export interface AwsTarget {
  region: string;
  profile?: string;
  stackName: string;
}

export async function awsTarget(): Promise<AwsTarget | undefined> {
  const s = readSettings();
  const region = s.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || (await vscode.window.showQuickPick(REGIONS, { placeHolder: 'AWS region for the mycli backend (set mycli.region to skip this)' }));
  if (!region) return undefined;
  let profile: string | undefined = s.profile || process.env.AWS_PROFILE;
  if (!profile) {
    const profiles = await awsProfiles();
    if (profiles.length > 1) {
      const picked = await vscode.window.showQuickPick([...profiles, ENVIRONMENT], { placeHolder: 'AWS profile to deploy with (set mycli.profile to skip this)' });
      if (!picked) return undefined;
      profile = picked === ENVIRONMENT ? undefined : picked;
    } else {
      profile = profiles[0];
    }
  }
  return { region, stackName: s.stackName, ...(profile ? { profile } : {}) };
}
