// Tasks sent down by the township (任务下发) as the phone keeps them: this leader's open tasks,
// each with its households and whether each is done, read at every sync and kept for use
// without network. The phone's own visits linked to a task count at once (unless the server
// refused them), so a task's progress moves as the leader works offline.

// Households of one task read per request: the server's page size.
const PAGE = 200;

// This leader's open tasks and their households, from the server (the sync calls this).
export async function fetchTasks(api) {
  const page = await api.request('GET', '/tasks', { query: { closed: false, per_page: 50 } });
  const tasks = [];
  for (const task of page.items) {
    const members = [];
    for (let number = 1; ; number += 1) {
      const part = await api.request('GET', `/tasks/${task.id}/households`, { query: { page: number, per_page: PAGE } });
      members.push(...part.items.map(({ household_id, done }) => ({ household_id, done })));
      if (part.items.length < PAGE || members.length >= part.total) break;
    }
    tasks.push({ ...task, members });
  }
  return tasks;
}

// "2026-12-04" for today in the township's zone, to compare with a task's `due_on`.
export function today(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date());
}

// Each task with its households' done-ness counting the phone's own linked visits, and its
// counts: `done`, `total`, `late` (past its day with households left).
export function withProgress(tasks, queue, timeZone) {
  const linked = new Set(queue
    .filter((i) => i.kind === 'visit' && i.state !== 'attention' && i.body.task_id)
    .map((i) => `${i.body.task_id}/${i.body.household_id}`));
  const now = today(timeZone);
  return (tasks || []).map((task) => {
    const members = task.members.map((m) => ({ ...m, done: m.done || linked.has(`${task.id}/${m.household_id}`) }));
    const done = members.filter((m) => m.done).length;
    return { ...task, members, done, total: members.length, late: now > task.due_on && done < members.length };
  });
}

// The tasks still waiting for this household: what its next visit can also do.
export function waitingAt(tasks, householdId) {
  return tasks.filter((t) => t.members.some((m) => m.household_id === householdId && !m.done));
}
