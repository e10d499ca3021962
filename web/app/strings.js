// Every text the phone app shows, in one place (Chinese, 简体). The quoted accessible names
// of the web clients' contract (docs/app.md: "待走访", "记录走访", "保存", …) are fixed: tests and screen readers find the
// controls by them.

export const T = {
  appName: '连心 · 微网格长',
  loading: '正在加载…',
  signInHeading: '微网格长登录',
  signOut: '退出登录',

  // Due list
  due: '待走访',
  allHouseholds: '全部住户',
  search: '搜索',
  searchHint: '按户名或地址查找',
  neverVisited: '从未走访',
  daysUnvisited: (n) => `${n}天未访`,
  visitedToday: '今天已走访',
  noneDue: '都走访过了，辛苦了！',
  noneFound: '没有找到符合的住户',
  noHouseholds: '还没有住户信息。连上网络后点“立即同步”。',
  dueCount: (n) => `共 ${n} 户待走访`,
  allCount: (n) => `共 ${n} 户`,
  groupRound: '群内走访',
  showMore: (n) => `显示更多（还有 ${n} 户）`,
  attention: '需处理',
  attentionCount: (n) => `${n} 条需处理`,

  // Dossier
  call: '拨打电话',
  phone: '电话',
  recentVisits: '最近走访',
  issues: '诉求',
  recordVisit: '记录走访',
  raiseIssue: '反映诉求',
  noVisits: '还没有走访记录',
  noIssues: '没有待办的诉求',
  members: (n) => `${n} 人`,
  acquainted: '已认亲',
  notAcquainted: '未认亲',
  inGroup: '已入群',
  notInGroup: '未入群',
  notFound: '找不到这一户。它可能已调到别的网格。',
  backToList: '返回待走访',
  onlyOnline: '需要联网',

  // Visit form
  method: '方式',
  summary: '走访情况',
  summaryHint: '例如：家中情况、提出的困难（可不填）',
  acquaint: '认亲',
  acquaintHint: '第一次上门，相互认识',
  joinGroup: '入群',
  joinGroupHint: '已加入微网格群',
  save: '保存',
  cancel: '取消',
  savedOffline: '已保存在手机上，有网络时自动上传',
  visitHeading: (name) => `记录走访 · ${name}`,

  // Group round
  roundHeading: '群内走访',
  roundHint: '勾选在群里联系过的住户，一次保存，每户记一次“群内”走访。',
  roundSummary: '走访情况（每户相同）',
  roundSave: (n) => `保存（${n} 户）`,
  roundSaved: (n) => `已保存 ${n} 户的群内走访`,
  roundNone: '请至少勾选一户',

  // Issues
  issueHeading: (name) => `反映诉求 · ${name}`,
  category: '类别',
  description: '诉求内容',
  descriptionHint: '居民反映的问题和希望',
  descriptionRequired: '请填写诉求内容',
  escalate: '上报',
  resolve: '办结',
  resolution: '办理结果',
  reopen: '重新办理',
  feedback: '满意度回访',
  satisfied: '满意',
  unsatisfied: '不满意',
  confirm: '确认',
  raisedOn: (d) => `${d} 反映`,
  verifyFixed: '验收通过',
  toVerify: (n) => `待验收的诉求（${n}）`,
  household: '住户',
  verifyRework: '退回重办',
  verifyNote: '验收意见',
  dueOn: (d) => ` · 办理时限 ${d}`,
  overdue: '已超期',
  dueSoon: '今天到期',

  // Tasks sent down (任务下发)
  tasks: (n) => `任务（${n}）`,
  taskProgressLabel: (title) => `${title} 完成进度`,
  taskDone: (done, total) => `已完成 ${done}/${total} 户`,
  taskDue: (d) => `截止 ${d}`,
  repeat: { weekly: '每周', monthly: '每月' },
  taskGone: '找不到这项任务，它可能已经关闭',
  taskRound: (d) => `本轮从 ${d} 开始`,
  taskLeft: (n) => `未完成（${n} 户）`,
  taskAllDone: '这项任务都完成了，辛苦了！',
  taskDoneHeading: (n) => `已完成（${n} 户）`,
  taskDoneMark: '已完成',
  alsoTask: '同时完成任务',
  taskWaiting: '待完成任务：',
  taskWaitingLink: (title) => `记录走访并完成任务：${title}`,
  noTask: '不关联任务',
  taskDropped: '这户不在该任务中：重新上传时不再关联任务，走访照常保存。',

  // The monthly statement
  statement: '下载本月民情日志',
  statementSaved: '已保存',

  // Sync
  pending: (n) => `待同步 ${n}`,
  allSynced: '已全部同步',
  syncNow: '立即同步',
  syncing: '正在同步…',
  lastSync: (t) => `上次同步 ${t}`,
  neverSynced: '尚未同步',
  offline: '没有网络，记录已保存在手机上',
  retryIn: (s) => `网络不好，${s} 秒后重试`,
  itemState: {
    pending: '待同步',
    syncing: '同步中',
    synced: '已同步',
    attention: '需处理',
  },
  kindVisit: '走访',
  kindIssue: '诉求',
  reason404: '该户已不在您的网格',
  reason409: '与已保存的记录不一致',
  fixAndResend: '改正后重新上传',
  resend: '重新上传',
  keptText: '您填写的内容（已保留）：',
  dismiss: '已知晓，移除',
  attentionHeading: '需处理',
  attentionEmpty: '没有需要处理的记录',
  attentionHint: '这些记录服务器没有接收。您填写的内容都保留着。',
  visitedAt: '走访时间',

  // Sign-out
  signOutWarning: (n) => `还有 ${n} 条记录没有上传到服务器。退出后它们仍保存在本机，下次您登录时自动上传。确定退出吗？`,
  signOutConfirm: '仍然退出',
  signOutPlain: '确定退出登录吗？',

  // Update and device
  updateReady: '新版本可用',
  updateApply: '更新',
  updateAfterForm: '保存或取消正在填写的内容后即可更新',
  quotaFull: '手机存储空间已满，记录可能无法保存。请清理手机空间后再试。',
  storageFailed: '无法在手机上保存：',
  wechat: '您正在微信里打开。微信内置浏览器无法离线使用，请点右上角“…”，选择“在浏览器打开”。',
  signedOutExpired: '登录已过期，请重新登录。未上传的记录仍保存在本机。',
};

// "今天 14:05", or "11月28日 14:05", in the township's zone.
export function formatTime(iso, timeZone) {
  if (!iso) return '';
  const date = new Date(iso);
  const day = (d) => new Intl.DateTimeFormat('zh-CN', { timeZone, year: 'numeric', month: 'long', day: 'numeric' }).format(d);
  const time = new Intl.DateTimeFormat('zh-CN', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
  if (day(date) === day(new Date())) return `今天 ${time}`;
  const short = new Intl.DateTimeFormat('zh-CN', { timeZone, month: 'long', day: 'numeric' }).format(date);
  return `${short} ${time}`;
}

export function formatDate(iso, timeZone) {
  if (!iso) return '';
  return new Intl.DateTimeFormat('zh-CN', { timeZone, month: 'long', day: 'numeric' }).format(new Date(iso));
}
