// Every word the console shows, in one place (zh-CN). Words both clients use (roles, issue
// categories and statuses, error texts) come from /shared/strings.js; the accessible names fixed
// by the UI contract are marked "contract" and must not change.

export const APP_TITLE = '连心 · 乡镇工作台';
export const SIGN_IN_HEADING = '乡镇工作台登录';
export const SIGN_OUT = '退出登录'; // contract
export const LOADING = '正在加载…';
export const NONE = '—';
export const SAVE = '保存';
export const CANCEL = '取消';
export const CONFIRM = '确认'; // contract
export const CLOSE = '关闭';
export const PREV_PAGE = '上一页';
export const NEXT_PAGE = '下一页';
export const page = (n, pages, total) => `第 ${n} / ${pages} 页，共 ${total} 条`;
export const ALL = '全部';
export const CHOOSE = '请选择';
export const NAV_LABEL = '主导航';
export const TABLE_REGION = '表格（可用方向键滚动）';

// Navigation (contract): key → link text.
export const NAV = {
  overview: '概览',
  grids: '网格',
  households: '住户',
  staff: '人员',
  issues: '诉求',
  tasks: '任务',
  import: '导入',
  audit: '审计',
  tags: '重点人群',
  departments: '部门',
  supervision: '督办',
  townships: '乡镇',
};


// 概览
export const OVERVIEW = {
  heading: '概览',
  from: '开始日期', // contract
  to: '结束日期', // contract
  by: '统计口径', // contract
  byOptions: { grid: '按网格', micro_grid: '按微网格', leader: '按网格长', week: '按周', tag: '按标签' }, // contract (按标签 added: the priority groups)
  show: '查询',
  figuresHeading: '汇总',
  figures: {
    visits: '走访人次',
    households_visited: '走访户数',
    coverage: '覆盖率',
    raised: '诉求',
    resolved: '已解决',
    satisfaction: '满意度',
    onTime: '按时办结率',
    medianDays: '办结用时',
  }, // contract
  figureNotes: {
    visits: '期间内的走访次数',
    households_visited: (n) => `期间内走访过的住户（共 ${n} 户）`,
    coverage: '走访户数 ÷ 住户数',
    raised: '期间内提出',
    resolved: '期间内办结且未重新办理',
    satisfaction: '回访满意 ÷ 已回访',
    onTime: '期间内办结的交办诉求中未超期的比例',
    medianDays: '从提出到办结的工作日数（中位数）',
  },
  chartHeading: '图表',
  tableHeading: '明细',
  exportExcel: '导出Excel', // contract
  exportCsv: '导出CSV', // contract
  exporting: '正在导出…',
  saved: (name) => `已保存 ${name}`,
  saveAgain: () => '再次保存',
  allGrids: '全部网格',
  crumbs: '层级',
  drillHint: '点击网格或微网格名称查看下一级。',
  lowestHeading: '覆盖率最低的10个微网格',
  lowestNone: '没有微网格。',
  householdsOf: (name) => `${name}的住户`,
  householdCols: ['户主/名称', '地址', '最近走访', '认亲', '入群'],
  neverVisited: '从未走访',
  chartShown: (n, total) => (n < total ? `图中为表格前 ${n} 项（按当前排序），全部 ${total} 项见下表。` : ''),
  chartLabelBars: (byName, n, top) =>
    `${byName}走访人次柱状图，共 ${n} 项${top ? `，最多的是${top.name}：${top.visits} 人次，覆盖率 ${top.coverage}` : ''}。数据见下方表格。`,
  chartLabelWeeks: (n, max, last) =>
    `按周走访人次与覆盖率折线图，共 ${n} 周，单周最多 ${max} 人次${last ? `，最近一周覆盖率 ${last}` : ''}。数据见下方表格。`,
  legendVisits: '走访人次',
  legendCoverage: '覆盖率',
  noRows: '没有数据。',
};

export const BREAKDOWN_COLS = {
  name: { grid: '网格', micro_grid: '微网格', leader: '网格长', week: '周次', tag: '标签' },
  households: '户数',
  visits: '走访人次',
  households_visited: '走访户数',
  coverage: '覆盖率',
  issues_raised: '诉求数',
  issues_resolved: '已解决',
  on_time_rate: '按时办结率',
  median_working_days: '办结用时（工作日）',
};
export const SORT_BY = (col) => `按${col}排序`;

// 网格
export const GRIDS = {
  heading: '网格',
  gridsCaption: '网格列表',
  cols: { name: '网格', kind: '类型', microGrids: '微网格数', leaders: '网格长人数', households: '户数', vacant: '无网格长' },
  microCaption: (grid) => `${grid}的微网格`,
  microCols: { name: '微网格', group: '群', leader: '网格长', households: '户数' },
  open: (name) => `查看 ${name}`,
  noLeader: '（无）',
  leaderLabel: '当前网格长',
  changeLeader: '更换网格长', // contract
  leaderSelect: '网格长', // contract
  choose: '请选择',
  previewHeading: '更换后的影响',
  preview: (p, name) =>
    `将有 ${p.households} 户、${p.open_issues} 件未办结诉求转给${name}。`,
  previewFrom: (name) => (name ? `原网格长：${name}。` : '原来没有网格长。'),
  previewing: '正在计算影响…',
  changed: (mg, name) => `${mg}的网格长已改为${name}。`,
  historyHeading: '网格长历史',
  historyCols: { leader: '网格长', from: '开始', to: '结束' },
  current: '至今',
  noHistory: '还没有网格长。',
};

// 住户
export const HOUSEHOLDS = {
  heading: '住户',
  search: '搜索', // contract
  searchButton: '查找',
  grid: '网格',
  microGrid: '微网格',
  caption: '住户列表',
  cols: { select: '选择', name: '户主/名称', address: '地址', microGrid: '微网格', phone: '电话', lastVisit: '最近走访' },
  select: (name) => `选择 ${name}`,
  selectAll: '选择本页全部',
  selected: (n) => `已选择 ${n} 户`,
  move: '调整网格', // contract
  target: '目标微网格', // contract
  movePreviewHeading: '调整后的影响',
  movePreview: (p) =>
    `${p.households} 户将转入${p.target}` +
    (p.leader ? `，由网格长${p.leader}负责` : '（该微网格暂无网格长）') +
    `，随之转交 ${p.open_issues} 件未办结诉求。` +
    (p.from ? `来自：${p.from}。` : ''),
  moved: (n, target) => `已将 ${n} 户调整到${target}。`,
  noneFound: '没有符合条件的住户。',
  dossier: '住户档案',
  fields: {
    kind: '类型', name: '户主/名称', address: '地址', phone: '电话', id_number: '身份证号',
    members: '人数', tags: '标签', note: '备注', microGrid: '微网格', acquainted: '认亲',
    inGroup: '入群', lastVisit: '最近走访', created: '建档时间',
  },
  tagsHelp: '多个标签用逗号或顿号分隔',
  yes: '是',
  no: '否',
  edit: '编辑',
  saved: '已保存。',
  recentVisits: '最近走访',
  visitCols: { at: '时间', method: '方式', summary: '走访情况' },
  openIssues: '未办结诉求',
  moves: '调整记录',
  moveCols: { at: '时间', from: '原微网格', to: '新微网格' },
  noVisits: '还没有走访记录。',
  noIssues: '没有未办结的诉求。',
  masked: '电话和身份证号按您的角色部分隐藏。',
};

// 导入
export const IMPORT = {
  heading: '导入',
  intro:
    '上传住户花名册（CSV 或 Excel .xlsx）。表头可用中文：微网格、类型、户主/名称、地址、电话、身份证号、人数、标签、备注。' +
    'CSV 可以是 UTF-8 或 Excel 在中文 Windows 上保存的 GBK 编码。只要有一行不对，整个文件都不会导入。',
  file: '选择文件', // contract
  noFile: '未选择文件',
  upload: '上传', // contract
  uploading: '正在上传…',
  chooseFirst: '请先选择文件。',
  created: (n) => `导入成功：新建 ${n} 户。`,
  refused: (n) => `文件未导入：有 ${n} 行需要修改，改好后重新上传整个文件。`,
  rowsCaption: '需要修改的行',
  row: '行', // contract
  problem: '问题', // contract
  header: '表头',
};

// 人员
export const STAFF = {
  heading: '人员',
  caption: '人员列表',
  role: '角色',
  q: '姓名或用户名',
  filter: '筛选',
  cols: { username: '用户名', name: '姓名', role: '角色', phone: '电话', grid: '负责网格', active: '状态' },
  active: '在岗',
  inactive: '已停用',
  open: (name) => `管理 ${name}`,
  createHeading: '新建人员',
  username: '用户名',
  displayName: '姓名',
  password: '密码',
  phone: '电话',
  grid: '负责网格',
  wholeTownship: '全镇',
  gridHelp: '仅督导员需要：只看一个网格时选择该网格。',
  create: '创建',
  created: (name) => `已创建 ${name}。`,
  deactivate: '停用',
  activate: '启用',
  deactivated: (name) => `已停用 ${name}，其登录立即失效。`,
  activated: (name) => `已启用 ${name}。`,
  resetHeading: '重置密码',
  newPassword: '新密码',
  reset: '重置密码',
  resetDone: (name) => `已为 ${name} 设置新密码。`,
  roleHeading: '更改角色',
  changeRole: '更改角色',
  roleChanged: (name, role) => `${name} 的角色已改为${role}。`,
  passwordHelp: '至少 8 位，不能是常见密码。',
  department: '所属部门',
  departmentHelp: '部门办理人员必须属于一个部门。',
};

// 部门
// 人员 → one leader: the monthly statement
export const STATEMENT = {
  heading: '民情日志',
  month: '月份',
  download: '下载民情日志',
  busy: '正在生成…',
  saved: (name) => `已保存 ${name}`,
};

// 督办 (admins and supervisors): late and due-today problems by office, grid and leader
export const SUPERVISION = {
  heading: '督办',
  intro: '已交办部门、超过办理时限（已超期）或今天是最后一个工作日（今天到期）的诉求。点“诉求”页并勾选“仅看超期”可看到每一件。',
  overdue: '已超期',
  dueSoon: '今天到期',
  none: '没有超期或今天到期的诉求。',
  tables: { department: '按部门', grid: '按网格', leader: '按网格长' },
  cols: { name: '名称', overdue: '已超期', dueSoon: '今天到期' },
};

export const DEPARTMENTS = {
  heading: '部门',
  caption: '部门列表',
  cols: { name: '部门名称', handlers: '办理人员' },
  none: '还没有部门。',
  createHeading: '新建部门',
  name: '部门名称', // contract
  create: '新建部门', // contract
  created: (name) => `已新建部门 ${name}。`,
  rename: (name) => `重命名 ${name}`,
  renameHeading: '重命名部门',
  newName: '新名称',
  save: '保存名称',
  renamed: (name) => `部门已改名为 ${name}。`,
};

// 诉求
export const REMINDERS = {
  label: '待办提醒',
  assigned: '新交办',
  overdue: '已超期',
  dueSoon: '今天到期',
  extension: '延期申请待批',
};

export const ISSUES = {
  heading: '诉求',
  status: '状态', // contract
  category: '类别', // contract
  caption: '诉求列表',
  cols: { raised: '提出时间', category: '类别', description: '诉求内容', status: '状态', household: '住户', department: '部门', due: '办理时限' },
  open: (d) => `查看诉求：${d}`,
  none: '没有符合条件的诉求。',
  events: '办理经过',
  eventCols: { at: '时间', action: '环节', actor: '办理人', note: '说明' },
  action: {
    raise: '提出', escalate: '上报', resolve: '办结', reopen: '重新办理', feedback: '满意度回访',
    assign: '交办', accept: '签收', extend: '申请延期', extension: '延期答复', done: '部门办结', verify: '验收',
  },
  escalate: '上报', // contract
  resolve: '办结', // contract
  resolution: '办理结果', // contract
  reopen: '重新办理', // contract
  feedback: '满意度回访', // contract
  satisfied: '满意', // contract
  unsatisfied: '不满意', // contract
  note: '说明',
  comment: '回访意见',
  done: '已更新。',
  conflict: '这条诉求刚被别人处理过，已重新读取。',
  resolutionLabel: '办理结果',
  feedbackLabel: '回访',
  department: '部门',
  overdueOnly: '仅看超期',
  dueSoonOnly: '仅看今天到期',
  extensionOnly: '仅看延期申请',
  due: '办理时限',
  overdue: '已超期',
  extensionPending: '延期申请待批',
  assignHeading: '交办',
  assignTo: '承办部门',
  dueDays: '办理时限（工作日）',
  dueDaysHelp: '不填则按类别的默认时限。',
  assign: '确认交办',
  accept: '签收',
  finishHeading: '办结',
  finish: '确认',
  extendHeading: '申请延期',
  extendDays: '延期天数',
  extendReason: '延期理由',
  extend: '提交申请',
  extensionHeading: '延期申请',
  grant: '批准延期',
  refuse: '不批准',
  verifyHeading: '验收',
  verifyNote: '验收意见',
  verifyPass: '验收通过',
  verifyFail: '退回重办',
};

// 任务 (admins and supervisors): a task sent down to the households of some grids and
// priority groups, and how far each micro-grid has got with it
export const TASKS = {
  heading: '任务', // contract
  caption: '任务列表', // contract
  status: '状态', // contract
  statusFilter: { '': '全部', false: '未关闭', true: '已关闭' },
  cols: { title: '任务', due: '截止日期', repeat: '重复', progress: '进度', status: '状态' }, // contract
  repeat: { '': '不重复', weekly: '每周', monthly: '每月' }, // contract
  state: { open: '进行中', overdue: '已超期', finished: '已完成', closed: '已关闭' }, // contract
  none: '暂无任务', // contract
  progress: (done, all, pct) => `${done}/${all}（${pct}）`,
  // The form (task-form.js)
  create: '下发任务', // contract
  formHeading: '下发任务',
  title: '任务名称', // contract
  description: '任务内容', // contract
  due: '截止日期', // contract
  repeatLabel: '重复', // contract
  repeatHelp: '每周、每月：截止日期是第一轮的最后一天，之后每轮顺延一周或一个月，每轮住户重新计为未完成。',
  scope: '范围', // contract
  scopeHelp: '勾选整个网格，或展开网格只勾选其中几个微网格；都不勾选即为全镇所有网格。',
  someMicroGrids: (n) => (n ? `只选其中的微网格（已选 ${n} 个）` : '只选其中的微网格'),
  tags: '重点人群', // contract
  tagsHelp: '都不勾选即为范围内的全部住户；勾选后只含带有所选标签之一的住户。',
  send: '下发', // contract
  sending: '正在下发…',
  cancel: '取消',
  sent: (title, n) => `已下发任务“${title}”，共 ${n} 户。`,
  // Field names of a 422's `fields`, as the form names them.
  fields: {
    title: '任务名称', description: '任务内容', due_on: '截止日期', repeat: '重复',
    grid_ids: '范围', micro_grid_ids: '范围', tags: '重点人群',
  },
  // One task (task-detail.js)
  back: '返回任务列表',
  crumbs: '位置',
  facts: {
    description: '任务内容', due: '截止日期', repeat: '重复', roundStart: '本轮开始', scope: '范围',
    tags: '重点人群', progress: '进度', status: '状态', created: '下发时间', createdBy: '下发人',
  },
  wholeTownship: '全镇',
  allHouseholds: '全部住户',
  progressCaption: '各网格进度', // contract
  progressNote: '按网格、微网格名称排列。',
  progressCols: { grid: '网格', microGrid: '微网格', leader: '网格长', households: '户数', done: '已完成', rate: '完成率' }, // contract
  noLeader: '未指定', // contract
  leaderCaption: '各网格长进度',
  leaderNote: '一位网格长负责几个微网格时合在一起，按姓名排列。',
  leaderCols: { leader: '网格长', microGrids: '微网格数' },
  subtotal: '小计',
  total: '合计',
  pending: '未完成住户', // contract
  pendingCols: { name: '户主/名称', address: '地址', microGrid: '微网格' },
  pendingNone: '全部住户已完成。',
  close: '关闭任务', // contract
  closeAsk: '关闭后任务从网格长的名单中撤下，重复的任务不再开始新一轮；已记录的完成情况保留。确定关闭吗？',
  closed: (title) => `任务“${title}”已关闭。`,
  alreadyClosed: '这个任务已经被关闭，已重新读取。',
};

// 审计
export const AUDIT = {
  heading: '审计',
  actor: '操作人', // contract
  action: '操作', // contract
  from: '开始日期',
  to: '结束日期',
  filter: '筛选',
  caption: '审计日志',
  cols: { at: '时间', actor: '操作人', action: '操作', entity: '对象', ip: 'IP' },
  system: '系统',
  none: '没有记录。',
  actions: {
    'tenant.create': '新建乡镇',
    'user.create': '新建人员',
    'user.update': '修改人员',
    'user.password': '修改密码',
    'grid.create': '新建网格',
    'grid.update': '修改网格',
    'micro_grid.create': '新建微网格',
    'micro_grid.update': '修改微网格',
    'micro_grid.assign_leader': '更换网格长',
    'micro_grid.remove_leader': '撤销网格长',
    'household.create': '新建住户',
    'household.update': '修改住户',
    'household.assign': '调整网格',
    'household.import': '导入住户',
    'tag.update': '设置重点人群走访周期',
    'visit.create': '记录走访',
    'issue.raise': '提出诉求',
    'issue.escalate': '上报诉求',
    'issue.resolve': '办结诉求',
    'issue.reopen': '重新办理诉求',
    'issue.feedback': '满意度回访',
    'issue.assign': '交办诉求',
    'issue.accept': '签收诉求',
    'issue.extend': '申请延期',
    'issue.extension': '答复延期申请',
    'issue.done': '部门办结诉求',
    'issue.verify': '验收诉求',
    'department.create': '新建部门',
    'department.update': '修改部门',
    'task.create': '下发任务',
    'task.close': '关闭任务',
    'stats.export': '导出统计',
    'auth.login': '登录',
    'auth.logout': '退出登录',
    'auth.refresh_reuse': '重复使用登录凭证',
  },
};

// 重点人群 (tenant admins): a tag's own visit interval
export const TAGS = {
  heading: '重点人群',
  intro: (days) => `本乡镇每 ${days} 天走访一次。带有下列标签的住户可以更频繁地走访：填写走访周期后，网格长的待走访名单按住户各标签和本乡镇周期中最短的一个计算。留空则按本乡镇周期。`,
  caption: '标签及走访周期',
  cols: { tag: '标签', standard: '类别', interval: '走访周期（天）', save: '操作' },
  standard: '标准重点人群',
  free: '自定义标签',
  intervalOf: (tag) => `${tag}的走访周期（天）`,
  save: '保存',
  saveOf: (tag) => `保存${tag}的走访周期`,
  saved: (tag, days) => (days ? `已保存：${tag}每 ${days} 天走访一次。` : `已保存：${tag}按本乡镇周期走访。`),
  addHeading: '为其他标签设置走访周期',
  tag: '标签',
  add: '设置',
};

// 乡镇
export const TOWNSHIPS = {
  heading: '乡镇',
  caption: '乡镇列表',
  cols: { code: '乡镇代码', name: '名称', timezone: '时区', interval: '走访周期（天）' },
  createHeading: '新建乡镇及其管理员',
  code: '乡镇代码',
  codeHelp: '小写字母开头，可含数字和连字符，如 xindai',
  name: '乡镇名称',
  timezone: '时区',
  interval: '走访周期（天）',
  adminUsername: '管理员用户名',
  adminName: '管理员姓名',
  adminPassword: '管理员密码',
  create: '创建乡镇',
  created: (name, user) => `已创建${name}，管理员 ${user} 可以登录了。`,
};

export const FORBIDDEN_PAGE = '您的角色不能使用此页面。';
export const LEADER_REDIRECT = '网格长请使用手机端，正在前往…';
