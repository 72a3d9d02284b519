// The public page's words, Chinese first; English with ?lang=en or an English browser.

const ZH = {
  title: "随手拍",
  tab_report: "我要上报",
  tab_track: "查询进度",
  intro: "发现井盖缺失、垃圾堆积、占道经营等城市问题？无需注册，拍照上报，凭编号和查询码查看处理进度。",
  where: "问题位置",
  locate: "使用我的位置",
  where_hint: "可在地图上点击或拖动图钉修正位置（地图上的线为网格边界）。",
  locating: "正在定位…",
  no_position: "请定位或在地图上点选问题位置",
  outside: "该位置不在本区范围内",
  accuracy: "精度约 {n} 米",
  located_by_hand: "已手动选定位置",
  geo_failed: "无法获取位置，请在地图上点选",
  category: "问题类别",
  category_search: "搜索：垃圾、井盖、占道…",
  change: "更换",
  no_match: "没有匹配的类别",
  choose_category: "请选择问题类别",
  photo: "照片",
  photo_hint: "最多 3 张，会在手机上压缩",
  add_photo: "拍照或选择照片",
  not_image: "无法读取这张照片",
  too_many_photos: "最多 3 张照片",
  remove: "删除",
  describe: "问题描述",
  description: "描述",
  description_hint: "例如：路口东侧垃圾堆积两天未清运",
  need_description: "请描述问题",
  address: "地址或参照物",
  near: "{grid}附近",
  contact: "联系方式（选填）",
  contact_hint: "仅工作人员核实时使用，不会公开显示。",
  name: "称呼",
  phone: "手机号",
  send: "提交上报",
  sending: "正在提交…",
  offline: "网络异常，未能提交。请检查网络后再点提交（不会重复上报）",
  done_title: "已收到您的上报",
  number: "案件编号",
  code: "查询码",
  code_once: "请截图或记下编号和查询码：查询码只显示这一次，遗失后无法找回。",
  copy: "复制",
  copied: "已复制",
  see_progress: "查看进度",
  again: "再报一件",
  track_title: "查询处理进度",
  query: "查询",
  not_found: "未找到该案件，或查询码不正确",
  category_label: "类别",
  reported_at: "上报时间",
  progress: "处理进度",
  after_photos: "处置后照片",
  rate_title: "满意度评价",
  rate_hint: "案件已办结，请对处理结果进行评价（每件案件只能评价一次）。",
  satisfied: "满意",
  basically_satisfied: "基本满意",
  dissatisfied: "不满意",
  comment: "意见或建议（选填）",
  rate_send: "提交评价",
  choose_rating: "请选择满意度",
  rated: "您的评价：{label}",
  thanks: "感谢您的评价",
  failed: "提交失败：{msg}",
};

const EN = {
  title: "Report it",
  tab_report: "Report",
  tab_track: "Track",
  intro: "A missing manhole cover, rubbish, a blocked pavement? No account needed: report it with a photo and follow it with the case number and tracking code.",
  where: "Where",
  locate: "Use my position",
  where_hint: "Tap the map or drag the pin to correct it (the lines are the grid outlines).",
  locating: "Locating…",
  no_position: "Locate yourself or tap the problem's place on the map",
  outside: "This place is outside the district",
  accuracy: "accurate to about {n} m",
  located_by_hand: "Place chosen by hand",
  geo_failed: "No position: tap the map",
  category: "What",
  category_search: "Search: rubbish, manhole…",
  change: "Change",
  no_match: "No matching category",
  choose_category: "Choose a category",
  photo: "Photos",
  photo_hint: "up to 3, shrunk on the phone",
  add_photo: "Take or choose a photo",
  not_image: "This photo cannot be read",
  too_many_photos: "At most 3 photos",
  remove: "Remove",
  describe: "Describe it",
  description: "Description",
  description_hint: "e.g. rubbish piled east of the crossing for two days",
  need_description: "Describe the problem",
  address: "Address or landmark",
  near: "near {grid}",
  contact: "Contact (optional)",
  contact_hint: "Only staff see it, to check the report; never shown publicly.",
  name: "Name",
  phone: "Phone",
  send: "Send report",
  sending: "Sending…",
  offline: "No network: not sent. Check the connection and send again (it will not be sent twice)",
  done_title: "Report received",
  number: "Case number",
  code: "Tracking code",
  code_once: "Take a screenshot or note both: the tracking code is shown only this once and cannot be recovered.",
  copy: "Copy",
  copied: "Copied",
  see_progress: "See progress",
  again: "Report another",
  track_title: "Track a report",
  query: "Look up",
  not_found: "No such case, or a wrong tracking code",
  category_label: "Category",
  reported_at: "Reported",
  progress: "Progress",
  after_photos: "After handling",
  rate_title: "Your rating",
  rate_hint: "The case is finished: how was it handled? (once per case)",
  satisfied: "Satisfied",
  basically_satisfied: "Mostly satisfied",
  dissatisfied: "Dissatisfied",
  comment: "Comment (optional)",
  rate_send: "Send rating",
  choose_rating: "Choose a rating",
  rated: "Your rating: {label}",
  thanks: "Thank you",
  failed: "Not sent: {msg}",
};

const wanted = new URLSearchParams(location.search).get("lang");
export const lang =
  wanted === "en" || wanted === "zh"
    ? wanted
    : (navigator.language || "zh").toLowerCase().startsWith("zh")
      ? "zh"
      : "en";
const WORDS = lang === "en" ? EN : ZH;

export function t(key, values = {}) {
  const text = WORDS[key] ?? ZH[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** Fill every [data-t] element's text and [data-t-placeholder] placeholder. */
export function translatePage() {
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-t-placeholder]")) {
    el.placeholder = t(el.dataset.tPlaceholder);
  }
  document.title = lang === "en" ? "Report a problem" : "随手拍 · 城市问题上报";
}
