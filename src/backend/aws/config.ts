/** What the aws platform needs to know about its stack: the Lambda's environment, set by the template. */
import { MycliError } from '../../shared/errors';

export interface AwsPlatformConfig {
  stackName: string;
  cluster: string;
  subnets: string[];
  securityGroup: string;
  /** The executor task definition (family or ARN) of the stack. */
  taskDefinition: string;
  table: string;
  logGroup: string;
  /** FARGATE_SPOT capacity provider strategy when true, launchType FARGATE otherwise. */
  useSpot: boolean;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AwsPlatformConfig {
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new MycliError('backend_error', `the function's environment lacks ${name}; redeploy the stack with "mycli init"`);
    return v;
  };
  return {
    stackName: need('MYCLI_STACK_NAME'),
    cluster: need('MYCLI_CLUSTER'),
    subnets: need('MYCLI_SUBNETS').split(',').filter(Boolean),
    securityGroup: need('MYCLI_SECURITY_GROUP'),
    taskDefinition: need('MYCLI_TASK_DEFINITION'),
    table: need('MYCLI_TABLE'),
    logGroup: need('MYCLI_LOG_GROUP'),
    useSpot: env.MYCLI_USE_SPOT !== 'false',
  };
}
