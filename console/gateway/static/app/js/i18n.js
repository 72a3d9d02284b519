// The app's words: Chinese first, English from a small dictionary.
// The language: ?lang=zh|en (remembered), else the one chosen before, else the browser's.

const ZH = {
  app_name: "城管通",
  app_sub: "网格化管理 · 现场",
  sign_in: "登录",
  signing_in: "正在登录…",
  sign_in_title: "登录城管通",
  sign_in_hint: "使用您在指挥调度台的账号。密码不会保存在本机。",
  username: "用户名",
  password: "密码",
  device_label: "设备名称",
  device_hint: "便于管理员识别和吊销本设备",
  sign_out: "退出登录",
  sign_out_pending: "还有 {n} 条待发送，将在您再次登录后发送。确定退出？",
  session_expired: "登录已失效，请重新登录。待发送的内容会保留。",
  network_down: "无法连接服务器，请检查网络后重试",
  tab_report: "上报",
  tab_mine: "我的上报",
  tab_tasks: "任务",
  online: "在线",
  offline: "离线",
  outbox_n: "待发送 {n}",
  refused_n: "{n} 条被退回",
  language: "English",
  // report form
  category: "问题类别",
  category_search: "搜索类别：名称、编码或拼音首字母",
  category_change: "更换",
  category_none: "没有匹配的类别",
  category_offline: "离线：在已下载的类别中查找",
  kind_component: "部件",
  kind_event_type: "事件",
  photos: "现场照片",
  photo_take: "拍照",
  photo_pick: "相册",
  photo_remove: "删除照片",
  photo_max: "最多 {n} 张照片",
  photo_bad: "「{name}」不是可读取的图片",
  photo_working: "正在压缩照片…",
  location: "位置",
  locating: "正在定位…",
  accuracy: "GPS 精度 ±{m} 米",
  located_manual: "已手动调整位置（距 GPS {m} 米）",
  locate_again: "重新定位",
  geo_denied: "未获定位授权：请在地图上点选位置",
  geo_unavailable: "暂时无法定位：请在地图上点选位置",
  geo_none: "本设备不支持定位：请在地图上点选位置",
  in_grid: "所在网格：{grid}（{street}）",
  outside_grids: "该位置不在本区网格内",
  map_hint: "拖动标记或点按地图可修正位置",
  address: "地址",
  address_hint: "如：莲湖路 123 号门前",
  description: "问题描述",
  description_hint: "简要说明看到的问题",
  urgent: "紧急",
  urgent_hint: "危及安全、需要立即处置",
  submit_report: "提交上报",
  need_category: "请选择问题类别",
  need_position: "请先定位或在地图上点选位置",
  need_address: "请填写地址",
  need_description: "请填写问题描述",
  use_grid_name: "填入：{grid}",
  queued_report: "已保存，网络恢复后自动发送",
  sent_report: "已上报：{number}",
  // outbox and my reports
  outbox: "待发送",
  outbox_empty: "没有待发送的内容",
  state_queued: "等待发送",
  state_sending: "正在发送…",
  state_sent: "已发送",
  state_refused: "被退回",
  state_other_user: "等待 {user} 登录后发送",
  retry: "重试",
  discard: "删除",
  discard_confirm: "删除后不会再发送，确定？",
  my_reports: "已上报",
  mine_empty: "还没有上报记录",
  mine_cached: "离线，显示 {time} 的记录",
  mine_offline: "离线：连网后显示已上报的记录",
  tasks_offline: "离线：连网后显示任务",
  refresh: "刷新",
  photos_n: "{n} 张照片",
  kind_report: "上报",
  kind_accept: "签收",
  kind_feedback: "处置反馈",
  kind_verify_pass: "核查通过",
  kind_verify_fail: "核查不通过",
  kind_return: "申请回退",
  case_now: "案件当前状态：{state}",
  case_gone: "该案件已不在您的任务中",
  // tasks
  tasks_empty: "暂无任务",
  tasks_cached: "离线，显示 {time} 的任务",
  accepted: "已签收",
  not_accepted: "未签收",
  deadline_left: "剩余 {t}",
  deadline_over: "已超期 {t}",
  reported_at: "上报于 {t}",
  deadline: "处置时限",
  reported: "上报时间",
  back: "返回",
  accept: "签收",
  feedback: "处置反馈",
  feedback_note: "处置情况",
  feedback_note_hint: "说明已完成的处置",
  verify: "核查",
  verify_pass: "核查通过",
  verify_fail: "不通过（返工）",
  verify_note: "核查说明",
  return_req: "申请回退",
  return_reason: "回退原因",
  suspension_req: "申请挂账",
  suspension_reason: "挂账原因（如需协调、待审批）",
  kind_suspension: "申请挂账",
  send: "发送",
  need_note: "请填写说明",
  queued_action: "已加入待发送：{what}",
  pending_action: "待发送：{what}",
  timeline: "办理经过",
  task_offline: "离线：显示已下载的任务信息",
  urgent_badge: "紧急",
  minutes: "{n} 分钟",
  hours: "{n} 小时",
  days: "{n} 天",
  update_ready: "新版本已就绪",
  reload: "刷新",
  // 信息核实
  report_check: "信息核实",
  report_check_hint: "到现场核实这条上报是否属实，拍下现场照片",
  report_confirm: "核实属实",
  report_reject: "不属实",
  report_check_note: "核实说明（不属实须填写）",
  kind_confirm_report: "核实属实",
  kind_reject_report: "核实不属实",
  // 自处置
  self_handle: "自行处置",
  self_handle_hint: "小事不出网格：已在现场处置完毕，附处置后照片",
  after_photos: "处置后照片",
  handling_note: "处置说明",
  handling_note_hint: "说明现场做了什么",
  need_before_photo: "自行处置须附处置前照片（第 2 步）",
  need_after_photo: "请拍处置后照片",
  need_handling_note: "请填写处置说明",
  queued_self_handle: "已加入待发送：上报并自行处置",
  submit_self_handle: "上报并提交自处置",
  kind_self_handle: "上报并自处置",
  signed_in_as: "{name} · {role}",
};

const EN = {
  app_name: "Field App",
  app_sub: "Grid management · field",
  sign_in: "Sign in",
  signing_in: "Signing in…",
  sign_in_title: "Sign in",
  sign_in_hint: "Use your dispatch console account. The password is not kept on this device.",
  username: "User name",
  password: "Password",
  device_label: "Device name",
  device_hint: "So an administrator can recognise and revoke this device",
  sign_out: "Sign out",
  sign_out_pending: "{n} items are waiting to be sent; they will go when you sign in again. Sign out?",
  session_expired: "Your session has ended: please sign in again. Waiting items are kept.",
  network_down: "Cannot reach the server: check the network and try again",
  tab_report: "Report",
  tab_mine: "My reports",
  tab_tasks: "Tasks",
  online: "Online",
  offline: "Offline",
  outbox_n: "{n} to send",
  refused_n: "{n} refused",
  language: "中文",
  category: "Category",
  category_search: "Search: name, code or pinyin initials",
  category_change: "Change",
  category_none: "No matching category",
  category_offline: "Offline: searching the downloaded categories",
  kind_component: "component",
  kind_event_type: "event",
  photos: "Photos",
  photo_take: "Camera",
  photo_pick: "Gallery",
  photo_remove: "Remove photo",
  photo_max: "At most {n} photos",
  photo_bad: "“{name}” is not a readable image",
  photo_working: "Shrinking the photo…",
  location: "Location",
  locating: "Locating…",
  accuracy: "GPS accuracy ±{m} m",
  located_manual: "Position corrected by hand ({m} m from GPS)",
  locate_again: "Locate again",
  geo_denied: "Location not allowed: tap the map to place the problem",
  geo_unavailable: "No position yet: tap the map to place the problem",
  geo_none: "This device cannot locate: tap the map to place the problem",
  in_grid: "Grid: {grid} ({street})",
  outside_grids: "This point is outside the district's grids",
  map_hint: "Drag the marker or tap the map to correct the position",
  address: "Address",
  address_hint: "e.g. in front of 123 Lianhu Road",
  description: "Description",
  description_hint: "What is the problem?",
  urgent: "Urgent",
  urgent_hint: "A danger that needs handling now",
  submit_report: "Send report",
  need_category: "Choose a category",
  need_position: "Locate first, or tap the map",
  need_address: "Please give the address",
  need_description: "Please describe the problem",
  use_grid_name: "Use: {grid}",
  queued_report: "Saved: it will be sent when the network is back",
  sent_report: "Reported: {number}",
  outbox: "To send",
  outbox_empty: "Nothing waiting to be sent",
  state_queued: "Waiting",
  state_sending: "Sending…",
  state_sent: "Sent",
  state_refused: "Refused",
  state_other_user: "Waits for {user} to sign in",
  retry: "Retry",
  discard: "Delete",
  discard_confirm: "It will not be sent. Delete?",
  my_reports: "Reported",
  mine_empty: "No reports yet",
  mine_cached: "Offline: as of {time}",
  mine_offline: "Offline: your reports show when the network is back",
  tasks_offline: "Offline: tasks show when the network is back",
  refresh: "Refresh",
  photos_n: "{n} photo(s)",
  kind_report: "Report",
  kind_accept: "Accept",
  kind_feedback: "Work done",
  kind_verify_pass: "Check passed",
  kind_verify_fail: "Check failed",
  kind_return: "Return request",
  case_now: "The case is now: {state}",
  case_gone: "The case is no longer one of your tasks",
  tasks_empty: "No tasks",
  tasks_cached: "Offline: tasks as of {time}",
  accepted: "Accepted",
  not_accepted: "Not accepted",
  deadline_left: "{t} left",
  deadline_over: "{t} overdue",
  reported_at: "Reported {t}",
  deadline: "Deadline",
  reported: "Reported",
  back: "Back",
  accept: "Accept",
  feedback: "Report work done",
  feedback_note: "What was done",
  feedback_note_hint: "Describe the work",
  verify: "Check",
  verify_pass: "Passed",
  verify_fail: "Failed (redo)",
  verify_note: "Remark",
  return_req: "Ask to return",
  return_reason: "Reason",
  suspension_req: "Ask to suspend",
  suspension_reason: "Why it cannot be handled now",
  kind_suspension: "Suspension request",
  send: "Send",
  need_note: "Please write a note",
  queued_action: "Queued: {what}",
  pending_action: "Waiting to send: {what}",
  timeline: "History",
  task_offline: "Offline: the task as last downloaded",
  urgent_badge: "Urgent",
  minutes: "{n} min",
  hours: "{n} h",
  days: "{n} d",
  update_ready: "A new version is ready",
  reload: "Reload",
  report_check: "Report check",
  report_check_hint: "Check on site whether this report is true; take a photo of the scene",
  report_confirm: "True",
  report_reject: "Not true",
  report_check_note: "Remark (needed when not true)",
  kind_confirm_report: "Report confirmed",
  kind_reject_report: "Report rejected",
  self_handle: "Handled it myself",
  self_handle_hint: "A small matter handled on the spot: add photos after",
  after_photos: "Photos after",
  handling_note: "What was done",
  handling_note_hint: "Describe the work on the spot",
  need_before_photo: "Self-handling needs a photo before (step 2)",
  need_after_photo: "Please take a photo after",
  need_handling_note: "Please say what was done",
  queued_self_handle: "Queued: report, handled on the spot",
  submit_self_handle: "Report as handled",
  kind_self_handle: "Report, self-handled",
  signed_in_as: "{name} · {role}",
};

const DICTS = { zh: ZH, en: EN };
const KEY = "grid.app.lang";

function chooseLang() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked && asked.slice(0, 2) in DICTS) {
    localStorage.setItem(KEY, asked.slice(0, 2));
    return asked.slice(0, 2);
  }
  const kept = localStorage.getItem(KEY);
  if (kept in DICTS) return kept;
  for (const tag of navigator.languages || [navigator.language || ""]) {
    const code = String(tag).slice(0, 2).toLowerCase();
    if (code in DICTS) return code;
  }
  return "zh";
}

export let lang = chooseLang();

export function setLang(code) {
  localStorage.setItem(KEY, code);
  lang = code;
}

/** The text for `key` in the current language, with {name} filled from `params`. */
export function t(key, params = {}) {
  const text = DICTS[lang][key] ?? ZH[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** Fill every [data-i18n] element's text (and [data-i18n-placeholder]) under `root`. */
export function translate(root = document) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  }
}

/** A time as the person reads it: 11-23 09:05 (this year) or 2025-11-23 09:05. */
export function formatTime(value) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const pad = (n) => String(n).padStart(2, "0");
  const day = `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getFullYear() === new Date().getFullYear() ? day : `${d.getFullYear()}-${day}`;
}

/** A span of time in words: 35 分钟, 5 小时, 2 天. */
export function formatSpan(ms) {
  const minutes = Math.round(Math.abs(ms) / 60000);
  if (minutes < 90) return t("minutes", { n: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 48) return t("hours", { n: hours });
  return t("days", { n: Math.round(hours / 24) });
}
