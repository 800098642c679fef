import { proxyActivities, sleep } from '@temporalio/workflow';

const { shout } = proxyActivities<{ shout(input: { text: string }): Promise<string> }>({
  startToCloseTimeout: '10 seconds',
});

/** A trivial workflow: one timer, one activity. */
export async function trivial(input: { text: string }): Promise<string> {
  await sleep('10 milliseconds');
  return shout(input);
}
