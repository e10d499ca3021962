// The words both web clients show, in Chinese (简体). Each client keeps its own texts in its
// own strings file; what is here is what the API's values mean to a person.

export const ROLE = {
  platform_admin: '平台管理员',
  tenant_admin: '乡镇管理员',
  supervisor: '督导',
  leader: '微网格长',
  handler: '部门办理人员',
};

export const GRID_KIND = { village: '村/社区', enterprise: '企业' };

export const HOUSEHOLD_KIND = { village: '农户', resident: '居民户', enterprise: '企业' };

export const CATEGORY = {
  road: '道路',
  housing: '住房',
  land: '土地',
  welfare: '民生保障',
  other: '其他',
};

export const STATUS = {
  open: '待办理',
  escalated: '已上报',
  resolved: '已办结',
  assigned: '已分派',
  accepted: '部门办理中',
  done: '待核实',
};

export const METHOD = { door: '上门', phone: '电话', group: '群内', other: '其他' };

// Field names as the API's 422 `fields` name them.
export const FIELD = {
  visited_at: '走访时间',
  summary: '走访情况',
  method: '方式',
  household_id: '住户',
  description: '诉求内容',
  category: '类别',
  visit_id: '所属走访',
  username: '用户名',
  password: '密码',
  tenant: '乡镇代码',
  name: '名称',
  address: '地址',
  phone: '电话',
  resolution: '办理结果',
  note: '说明',
  department_id: '部门',
  due_days: '办理时限',
  days: '延期天数',
  reason: '延期理由',
  task_id: '任务',
  title: '任务名称',
  due_on: '截止日期',
  repeat: '重复',
  grid_ids: '范围',
  micro_grid_ids: '范围',
  tags: '重点人群',
};

// What a refusal means when the server's own message is missing (a proxy's page, no network).
export const ERROR = {
  0: '网络不通，请稍后再试',
  400: '请求有误',
  401: '登录已失效，请重新登录',
  403: '没有权限',
  404: '未找到',
  409: '与已保存的记录不一致',
  413: '内容太大',
  422: '填写的内容有误',
  429: '尝试太频繁，请稍后再试',
  500: '服务器出错，请稍后再试',
  503: '服务暂时不可用，请稍后再试',
};

export const COMMON = {
  signIn: '登录',
  signOut: '退出登录',
  tenant: '乡镇代码',
  username: '用户名',
  password: '密码',
  signingIn: '正在登录…',
  wrongLogin: '乡镇代码、用户名或密码不对',
  waitSeconds: (s) => `尝试太频繁，请 ${s} 秒后再试`,
  save: '保存',
  cancel: '取消',
  back: '返回',
  loading: '正在加载…',
};

// The text to show for a failed call: the server's Chinese message, else one for the status.
export function errorText(error) {
  if (error?.status === 429 && error.retryAfter) return COMMON.waitSeconds(error.retryAfter);
  if (error?.message && error.status !== 0) return error.message;
  return ERROR[error?.status] || ERROR[500];
}

// A 422's fields as "走访时间：不能晚于现在" lines.
export function fieldProblems(fields) {
  return Object.entries(fields || {}).map(
    ([field, problems]) => `${FIELD[field] || field}：${[].concat(problems).join('；')}`,
  );
}
