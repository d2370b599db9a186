import type { LabHandle } from '../lab-handle';
import { type CheckResult, fail, type Lesson, pass } from '../lesson';
import { describeOrder, killAndWait, newestOrders, processes } from './shared';

// LESSON: A crash: one shop down, or one function? (LESSONS.md#a-crash-one-shop-down-or-one-function)

const PRODUCT = 2;

/** The process was killed and brought back: running, restarted at least once. */
async function cameBack(lab: LabHandle, name: string): Promise<CheckResult> {
  const entry = (await processes(lab)).find((candidate) => candidate.name === name);
  if (!entry) return fail(`The dashboard lists no process ${name}: was the lab started with npm start?`);
  if (entry.restarts === 0)
    return fail(`${name} has never restarted (restarts 0): kill it (POST /api/lab/processes/${name}/kill).`);
  if (entry.status !== 'running')
    return fail(`${name} is ${entry.status}: wait until the launcher has it running again.`);
  return pass(`${name} is running again as pid ${entry.pid}, after ${entry.restarts} restart(s).`);
}

export const aCrashOneShopDownOrOneFunction: Lesson = {
  id: 'a-crash-one-shop-down-or-one-function',
  title: 'A crash: one shop down, or one function?',
  anchor: 'a-crash-one-shop-down-or-one-function',
  stacks: ['monolith', 'microservices'],
  goal: 'See a crash take the whole monolith away, and only one function of the microservices, whose work waits in its queue.',
  steps: [
    {
      instructions:
        'Kill the monolith through the dashboard (log in as the lab admin), try the shop meanwhile, and watch the launcher restart it.',
      uses: {
        view: 'Internals → Processes (Kill)',
        command: 'curl -b /tmp/lab.jar -X POST $D/api/lab/processes/monolith/kill',
      },
      check: (lab) => cameBack(lab, 'monolith'),
      hints: [
        'GET /api/lab/processes on the dashboard lists every process with its restarts.',
        'The kill is a change: log in at the top right of the dashboard (or POST /api/session) first.',
      ],
      solve: (lab) => killAndWait(lab, 'monolith'),
    },
    {
      instructions:
        'Kill email-service, check out on the gateway at once, and poll the order: it waits at paid, then turns confirmed once email-service is back.',
      uses: {
        view: 'Internals → Processes, then Storefronts (Microservices)',
        command: 'curl -X POST $D/api/lab/processes/email-service/kill',
      },
      async check(lab) {
        const back = await cameBack(lab, 'email-service');
        if (!back.pass) return back;
        const [order] = await newestOrders(lab, 'microservices', 1);
        if (!order) return fail('The microservices have no order: check out on the gateway right after the kill.');
        if (order.status !== 'confirmed')
          return fail(`The newest order is ${describeOrder(order)}: poll it until email-service has caught up.`);
        return pass(
          `${back.message} Order #${order.id} is confirmed: its email waited in the queue and went out when email-service came back.`,
        );
      },
      hints: [
        'The checkout is a 202 at once: order-service and payment-service never noticed.',
        "The order.order.paid event waits in email-service's durable queue while it is down.",
      ],
      async solve(lab) {
        await killAndWait(lab, 'email-service');
        const answer = await lab.buyOnce('microservices', PRODUCT, 'crash');
        if (answer.status === 202) await lab.untilFinal('microservices', answer.body.id);
      },
    },
  ],
};
