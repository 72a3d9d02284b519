<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AcknowledgeAllDialog</name>
    <message>
        <location filename="../../console/views/acknowledge_all_dialog.py" line="31"/>
        <source>Acknowledge all in the list</source>
        <translation>确认列表中全部</translation>
    </message>
    <message>
        <location filename="../../console/views/acknowledge_all_dialog.py" line="37"/>
        <source>Also acknowledge the %1 supervision alerts</source>
        <translation>同时确认 %1 条督办提醒</translation>
    </message>
    <message>
        <location filename="../../console/views/acknowledge_all_dialog.py" line="48"/>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../../console/views/acknowledge_all_dialog.py" line="67"/>
        <source>Acknowledge %1 alerts of %2 cases?</source>
        <translation>确认 %2 件案件的 %1 条提醒？</translation>
    </message>
    <message>
        <location filename="../../console/views/acknowledge_all_dialog.py" line="73"/>
        <source>%1 supervision alerts stay unacknowledged.</source>
        <translation>%1 条督办提醒保持未确认。</translation>
    </message>
</context>
<context>
    <name>AlarmSettingsDialog</name>
    <message>
        <location filename="../../console/views/alarm_settings_dialog.py" line="35"/>
        <source>Alarm settings</source>
        <extracomment>Level names for the check boxes (zh, en); the levels themselves come from alarm.LEVELS.</extracomment>
        <translation>警报设置</translation>
    </message>
    <message>
        <location filename="../../console/views/alarm_settings_dialog.py" line="45"/>
        <source>Quiet hours</source>
        <translation>静音时段</translation>
    </message>
    <message>
        <location filename="../../console/views/alarm_settings_dialog.py" line="57"/>
        <source>From:</source>
        <translation>从：</translation>
    </message>
    <message>
        <location filename="../../console/views/alarm_settings_dialog.py" line="58"/>
        <source>To:</source>
        <translation>到：</translation>
    </message>
    <message>
        <location filename="../../console/views/alarm_settings_dialog.py" line="63"/>
        <source>Repeat every:</source>
        <translation>重复间隔：</translation>
    </message>
</context>
<context>
    <name>AlertsModel</name>
    <message>
        <location filename="../../console/views/alerts_model.py" line="201"/>
        <source>Time</source>
        <extracomment>At most this many alerts are kept; beyond it the oldest acknowledged ones are dropped. The role the proxy sorts by (level column: level, then time).</extracomment>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="202"/>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="203"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="204"/>
        <source>Recipient</source>
        <translation>接收方</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="205"/>
        <source>Message</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="206"/>
        <source>Acknowledged by</source>
        <translation>确认人</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="207"/>
        <source>Acknowledged at</source>
        <translation>确认时间</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="265"/>
        <source>Case %1 (%2): %3, due %4 → %5</source>
        <translation>案件 %1（%2）：%3，到期 %4 → %5</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="282"/>
        <source>Raised %1, due %2</source>
        <translation>%1 发出，时限 %2</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="290"/>
        <source>Also on this case: %1</source>
        <translation>本案件其他提醒：%1</translation>
    </message>
</context>
<context>
    <name>AlertsPanel</name>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="98"/>
        <source>Only unacknowledged</source>
        <extracomment>One alert id per alert to acknowledge. The case to open. The number of unacknowledged alerts after a change. One patrol-gap alert id per patrol-gap alert to acknowledge.</extracomment>
        <translation>仅未确认</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="100"/>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="102"/>
        <source>Acknowledge all visible</source>
        <translation>确认列表中全部</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="104"/>
        <source>Open case</source>
        <translation>打开案件</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="155"/>
        <source>Acknowledge patrol gap</source>
        <translation>确认巡查缺漏</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="230"/>
        <source>Patrol gaps unacknowledged: %1</source>
        <translation>未确认巡查缺漏：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="368"/>
        <source>Unacknowledged: %1</source>
        <translation>未确认：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="384"/>
        <source>Select an unacknowledged alert</source>
        <translation>请先选择未确认的提醒</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="385"/>
        <source>Acknowledge the selected alerts (a case row: all of its alerts)</source>
        <translation>确认所选提醒（选中案件行即确认该案件的全部提醒）</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="389"/>
        <source>Nothing to acknowledge in the list</source>
        <translation>列表中没有待确认的提醒</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="390"/>
        <source>Acknowledge the alerts in the list; asks first, supervision only if ticked</source>
        <translation>确认列表中的提醒：先询问，督办须勾选才确认</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="396"/>
        <source>Select an unacknowledged patrol gap</source>
        <translation>请选择未确认的巡查缺漏</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="397"/>
        <source>Acknowledge the selected patrol gaps</source>
        <translation>确认选中的巡查缺漏</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="401"/>
        <source>Select the alerts of one case</source>
        <translation>请选择同一案件的提醒</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_panel.py" line="402"/>
        <source>Open the selected case</source>
        <translation>打开所选案件</translation>
    </message>
</context>
<context>
    <name>CalendarDialog</name>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="60"/>
        <source>Holiday calendar</source>
        <extracomment>Emitted after a successful save (the change&apos;s result).</extracomment>
        <translation>节假日安排</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="73"/>
        <source>Year</source>
        <extracomment>The year as edited on screen: date → name.</extracomment>
        <translation>年份</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="99"/>
        <source>Red: day off · Blue: worked weekend day (adjusted) · Grey: weekend</source>
        <translation>红：放假 · 蓝：调休上班 · 灰：周末</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="104"/>
        <source>Name for days you mark</source>
        <translation>所标日期的名称</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="108"/>
        <source>e.g. 春节</source>
        <translation>如 春节</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="110"/>
        <source>Load the notice (CSV)…</source>
        <translation>载入国务院通知（CSV）…</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="113"/>
        <source>Save as the official schedule</source>
        <translation>保存为正式安排</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="117"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="127"/>
        <source>Only an administrator may change the holiday calendar</source>
        <translation>只有管理员可以修改节假日安排</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="150"/>
        <source>imported</source>
        <translation>已导入</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="151"/>
        <source>State Council schedule (chinese-calendar)</source>
        <translation>国务院安排（chinese-calendar）</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="153"/>
        <source>%1: official (%2)</source>
        <translation>%1 年：正式（%2）</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="155"/>
        <source>by %1 at %2</source>
        <translation>由 %1 于 %2</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="160"/>
        <source>%1: provisional</source>
        <translation>%1 年：暂定</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="163"/>
        <source>the State Council&apos;s schedule is not imported: deadlines count the statutory holidays</source>
        <translation>国务院节假日安排尚未导入，期限按法定假日推算</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="196"/>
        <source>worked (adjusted)</source>
        <translation>调休上班</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="199"/>
        <source>day off</source>
        <translation>放假</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="202"/>
        <source>weekend</source>
        <translation>周末</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="204"/>
        <source>working day</source>
        <translation>工作日</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="231"/>
        <source>Not saved yet</source>
        <translation>尚未保存</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="241"/>
        <source>The State Council&apos;s schedule</source>
        <translation>国务院节假日安排</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="262"/>
        <source>Loaded %1, not saved yet</source>
        <translation>已载入 %1，尚未保存</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_dialog.py" line="283"/>
        <source>Saved: %1 days changed, %2 open cases got new deadlines</source>
        <translation>已保存：%1 天的工作日属性改变，%2 件在办案件的期限已重算</translation>
    </message>
</context>
<context>
    <name>CalendarNotice</name>
    <message>
        <location filename="../../console/views/calendar_notice.py" line="54"/>
        <source>The %1 holiday schedule is not loaded: deadlines count the statutory holidays (provisional)</source>
        <extracomment>Roles whose alerts dock carries the notice.</extracomment>
        <translation>%1 年节假日安排尚未导入，期限按法定假日推算</translation>
    </message>
    <message>
        <location filename="../../console/views/calendar_notice.py" line="60"/>
        <source>File → Holiday calendar…: load the State Council&apos;s schedule</source>
        <translation>文件 → 节假日安排…：导入国务院节假日安排</translation>
    </message>
</context>
<context>
    <name>CaseActionGate</name>
    <message>
        <location filename="../../console/views/case_action_gate.py" line="41"/>
        <source>Only for: %1 (you are %2)</source>
        <extracomment>Toolbar command id → lifecycle action.</extracomment>
        <translation>仅限：%1（您的角色：%2）</translation>
    </message>
    <message>
        <location filename="../../console/views/case_action_gate.py" line="47"/>
        <source>The case is still loading</source>
        <translation>案件正在加载</translation>
    </message>
    <message>
        <location filename="../../console/views/case_action_gate.py" line="49"/>
        <source>Select a case first</source>
        <translation>请先选择案件</translation>
    </message>
    <message>
        <location filename="../../console/views/case_action_gate.py" line="53"/>
        <source>Not possible while the case is %1</source>
        <translation>案件当前为「%1」，不能执行此操作</translation>
    </message>
    <message>
        <location filename="../../console/views/case_action_gate.py" line="59"/>
        <source>The check is assigned to the inspector %1</source>
        <translation>核查任务已指派给监督员「%1」</translation>
    </message>
</context>
<context>
    <name>CaseActions</name>
    <message>
        <location filename="../../console/views/case_actions.py" line="44"/>
        <source>The case is still loading</source>
        <translation>案件正在加载</translation>
    </message>
    <message>
        <location filename="../../console/views/case_actions.py" line="46"/>
        <source>Select a case first</source>
        <translation>请先选择案件</translation>
    </message>
    <message>
        <location filename="../../console/views/case_actions.py" line="108"/>
        <source>The case on screen changed: try again</source>
        <translation>屏幕上的案件已切换，请重新操作</translation>
    </message>
    <message>
        <location filename="../../console/views/case_actions.py" line="112"/>
        <source>%1: done</source>
        <translation>%1：已完成</translation>
    </message>
    <message>
        <location filename="../../console/views/case_actions.py" line="130"/>
        <source>Changed by someone else</source>
        <translation>案件已被他人修改</translation>
    </message>
    <message>
        <location filename="../../console/views/case_actions.py" line="132"/>
        <source>Action refused</source>
        <translation>操作未执行</translation>
    </message>
    <message>
        <location filename="../../console/views/case_actions.py" line="141"/>
        <source>Select the cases to dispatch</source>
        <translation>请选择要派遣的案件</translation>
    </message>
    <message>
        <location filename="../../console/views/case_actions.py" line="172"/>
        <source>Some cases were not dispatched</source>
        <translation>部分案件未派遣</translation>
    </message>
    <message>
        <location filename="../../console/views/case_actions.py" line="176"/>
        <source>Dispatched: %1</source>
        <translation>已派遣：%1 件</translation>
    </message>
</context>
<context>
    <name>CaseDetailPanel</name>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="119"/>
        <location filename="../../console/views/case_detail_panel.py" line="320"/>
        <source>Select a case to see its details.</source>
        <extracomment>Buttons per row in the action bar. Inputs (transitions.csv) asked for in a dialog of the panel&apos;s own before the step is sent. Fallback colours when no theme style sheet is applied (the QSS themes override them). (action, case id, version) for an action that needs no input. (action, case id, version, params) after asking for a note (and an extension amount). Case ids to open the dispatch dialog for. Case id to show on the map. Case id to make the current case (another case about the same register object).</extracomment>
        <translation>选择案件以查看详情。</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="333"/>
        <source>Loading the case…</source>
        <translation>正在加载案件…</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="143"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="197"/>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="198"/>
        <source>Show on map</source>
        <translation>在地图上显示</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="208"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="212"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="213"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="214"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="215"/>
        <source>Caller</source>
        <translation>上报人</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="216"/>
        <source>Caller&apos;s phone</source>
        <translation>来电号码</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="217"/>
        <source>Open311 contact</source>
        <translation>Open311 联系信息</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="218"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="219"/>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="220"/>
        <source>Street</source>
        <translation>街道</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="221"/>
        <source>Area</source>
        <translation>片区</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="222"/>
        <source>Community unit</source>
        <translation>单元(社区)</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="223"/>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="224"/>
        <source>Coordinates</source>
        <translation>坐标</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="225"/>
        <source>Department</source>
        <translation>处置部门</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="227"/>
        <source>Street sub-task</source>
        <translation>二级派遣</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="228"/>
        <source>Time limit</source>
        <translation>处置时限</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="229"/>
        <source>Extension</source>
        <translation>延期</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="230"/>
        <source>Registration condition</source>
        <translation>立案条件</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="231"/>
        <source>Closing condition</source>
        <translation>结案条件</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="232"/>
        <source>Reported</source>
        <translation>上报时间</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="233"/>
        <source>Registered</source>
        <translation>立案时间</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="234"/>
        <source>Dispatched</source>
        <translation>派遣时间</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="235"/>
        <source>Deadline</source>
        <translation>处置期限</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="236"/>
        <source>Handled</source>
        <translation>处置反馈时间</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="237"/>
        <source>Closed</source>
        <translation>结案时间</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="238"/>
        <source>Reworks / returns</source>
        <translation>返工 / 回退</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="254"/>
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="259"/>
        <source>History (newest first)</source>
        <translation>处置过程（最新在前）</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="267"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="267"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="267"/>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="267"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="267"/>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="278"/>
        <source>Select an entry to read its full note.</source>
        <translation>选择一条记录查看完整说明。</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="359"/>
        <source>Finished</source>
        <translation>已办结</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="362"/>
        <source>Suspended</source>
        <translation>挂账时间</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="367"/>
        <source>Handled in time</source>
        <translation>按时处置</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="368"/>
        <source>Handled near the deadline</source>
        <translation>临期处置</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="369"/>
        <source>Handled late</source>
        <translation>超期处置</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="372"/>
        <source>No clock</source>
        <translation>未计时</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="376"/>
        <source>Green: within the time limit</source>
        <translation>绿灯：在处置时限内</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="377"/>
        <source>Yellow: most of the time limit used</source>
        <translation>黄灯：时限即将用完</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="378"/>
        <source>Red: overdue</source>
        <translation>红灯：已超期</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="379"/>
        <source>Not on the deadline clock</source>
        <translation>未进入处置计时</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="394"/>
        <source>Component</source>
        <translation>部件</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="394"/>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="398"/>
        <source>%1 approved</source>
        <translation>%1 已批准</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="400"/>
        <source>%1 requested</source>
        <translation>%1 已申请</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="417"/>
        <source>Not dispatched</source>
        <translation>未派遣</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="502"/>
        <source>%1, due %2</source>
        <translation>%1，时限至 %2</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="510"/>
        <source>Merged into %1</source>
        <translation>已合并到 %1</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="512"/>
        <source>Not a duplicate of %1</source>
        <translation>与 %1 不是重复</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="519"/>
        <source>Sent on to %1, due %2</source>
        <translation>派往 %1，时限至 %2</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="524"/>
        <source> (late)</source>
        <translation>（超时）</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="525"/>
        <source>Feedback from %1</source>
        <translation>%1 已反馈</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="534"/>
        <source>Report %1 merged in (%2, %3, %4), %5: %6</source>
        <translation>并入上报 %1（%2，%3，%4），%5：%6</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="545"/>
        <source>Attachments: %1</source>
        <translation>附件：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="601"/>
        <source>%1 — case %2: send it on to one of the street&apos;s forces.</source>
        <translation>%1 — 案件 %2：派往街道的处置力量。</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="623"/>
        <location filename="../../console/views/case_detail_panel.py" line="647"/>
        <source>%1 — case %2: please give a note.</source>
        <translation>%1 — 案件 %2：请填写说明。</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="588"/>
        <source>%1 — case %2: choose the inspector.</source>
        <translation>%1 — 案件 %2：请选择监督员。</translation>
    </message>
    <message>
        <location filename="../../console/views/case_detail_panel.py" line="226"/>
        <source>Assigned inspector</source>
        <translation>指派监督员</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <location filename="../../console/views/change_password_dialog.py" line="60"/>
        <location filename="../../console/views/change_password_dialog.py" line="75"/>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <location filename="../../console/views/change_password_dialog.py" line="67"/>
        <source>Current password:</source>
        <translation>当前密码：</translation>
    </message>
    <message>
        <location filename="../../console/views/change_password_dialog.py" line="68"/>
        <source>New password:</source>
        <translation>新密码：</translation>
    </message>
    <message>
        <location filename="../../console/views/change_password_dialog.py" line="69"/>
        <source>New password again:</source>
        <translation>再次输入新密码：</translation>
    </message>
    <message>
        <location filename="../../console/views/change_password_dialog.py" line="83"/>
        <source>Enter the current and the new password.</source>
        <translation>请输入当前密码和新密码。</translation>
    </message>
    <message>
        <location filename="../../console/views/change_password_dialog.py" line="86"/>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
</context>
<context>
    <name>Commands</name>
    <message>
        <location filename="../../console/views/commands.py" line="21"/>
        <source>Next case</source>
        <translation>下一件</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="23"/>
        <source>Register</source>
        <translation>立案</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="24"/>
        <source>Dispatch…</source>
        <translation>派遣…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="27"/>
        <source>Verify: pass</source>
        <translation>核查通过</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="33"/>
        <source>Close case</source>
        <translation>结案</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="35"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="37"/>
        <source>Remind me about this case…</source>
        <translation>提醒我处理此案件…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="39"/>
        <source>Shift handover…</source>
        <translation>交接班…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="40"/>
        <source>Duty roster</source>
        <translation>值班表</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="41"/>
        <source>Alarm settings…</source>
        <translation>警报设置…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="43"/>
        <source>Monthly evaluation…</source>
        <translation>月度绩效评价…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="45"/>
        <source>Show dashboard</source>
        <translation>显示看板</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="48"/>
        <source>Silence the alarm for 10 minutes</source>
        <translation>警报静音10分钟</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="52"/>
        <source>Find…</source>
        <translation>查找…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="53"/>
        <source>Show map</source>
        <translation>显示地图</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="54"/>
        <source>Show case detail</source>
        <translation>显示案件详情</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="55"/>
        <source>Show alerts</source>
        <translation>显示告警</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="56"/>
        <source>Light theme</source>
        <translation>日间主题</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="57"/>
        <source>Dark theme (night shift)</source>
        <translation>夜间主题（夜班）</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="58"/>
        <source>Theme follows the clock</source>
        <translation>主题随时间切换</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="59"/>
        <source>New report…</source>
        <translation>新建上报…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="61"/>
        <source>Reports to place on the map…</source>
        <translation>待定位报告…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="63"/>
        <source>Import reports…</source>
        <translation>导入上报…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="64"/>
        <source>Export queue…</source>
        <translation>导出队列…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="65"/>
        <source>Switch user…</source>
        <translation>切换用户…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="66"/>
        <source>Change password…</source>
        <translation>修改密码…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="67"/>
        <source>Users and security log…</source>
        <translation>用户与安全日志…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="68"/>
        <source>Holiday calendar…</source>
        <translation>节假日安排…</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="69"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../console/views/commands.py" line="70"/>
        <source>Keyboard shortcuts</source>
        <translation>快捷键</translation>
    </message>
</context>
<context>
    <name>ComponentMap</name>
    <message>
        <location filename="../../console/views/map_components.py" line="54"/>
        <source>Components</source>
        <extracomment>How often the changed objects and the repeat offenders are read while the map is visible.</extracomment>
        <translation>部件</translation>
    </message>
    <message>
        <location filename="../../console/views/map_components.py" line="55"/>
        <source>Repeat offenders</source>
        <translation>重复问题部件</translation>
    </message>
    <message>
        <location filename="../../console/views/map_components.py" line="56"/>
        <source>Zoom in to level %1 to see components</source>
        <translation>放大到第 %1 级显示部件</translation>
    </message>
    <message>
        <location filename="../../console/views/map_components.py" line="59"/>
        <source>Component class</source>
        <translation>部件类别</translation>
    </message>
    <message>
        <location filename="../../console/views/map_components.py" line="60"/>
        <source>All classes</source>
        <translation>全部大类</translation>
    </message>
    <message>
        <location filename="../../console/views/map_components.py" line="61"/>
        <source>All items</source>
        <translation>全部小类</translation>
    </message>
    <message>
        <location filename="../../console/views/map_components.py" line="62"/>
        <source>Owner department</source>
        <translation>主管部门</translation>
    </message>
    <message>
        <location filename="../../console/views/map_components.py" line="63"/>
        <source>Cases (%1)</source>
        <translation>关联案件（%1 件）</translation>
    </message>
    <message>
        <location filename="../../console/views/map_components.py" line="64"/>
        <source>No cases</source>
        <translation>无关联案件</translation>
    </message>
    <message>
        <location filename="../../console/views/map_components.py" line="65"/>
        <source>%1 more</source>
        <translation>另有 %1 件</translation>
    </message>
    <message>
        <location filename="../../console/views/map_components.py" line="66"/>
        <source>%1 cases</source>
        <translation>%1 件案件</translation>
    </message>
</context>
<context>
    <name>ConnectionBanner</name>
    <message>
        <location filename="../../console/views/connection_banner.py" line="22"/>
        <source>Database connection</source>
        <translation>数据库连接</translation>
    </message>
    <message>
        <location filename="../../console/views/connection_banner.py" line="47"/>
        <source>The connection to the database server was lost, reconnecting… Last success: %1</source>
        <translation>与数据库服务器的连接已中断，正在重连… 最后一次成功：%1</translation>
    </message>
</context>
<context>
    <name>DashboardPanel</name>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="93"/>
        <source>Open cases</source>
        <extracomment>Change batches within this many milliseconds make one update request. Bar colours that read on both the light and the dark background. Emitted at most once per throttle window: fetch fresh numbers now.</extracomment>
        <translation>在办案件</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="94"/>
        <source>Red</source>
        <translation>红灯</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="95"/>
        <source>Yellow</source>
        <translation>黄灯</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="96"/>
        <source>Reported today</source>
        <translation>今日上报</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="97"/>
        <source>Closed this month</source>
        <translation>本月结案</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="98"/>
        <source>On time this month</source>
        <translation>本月按期率</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="99"/>
        <source>Grids patrolled today</source>
        <translation>今日巡查网格</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="100"/>
        <source>Patrols now</source>
        <translation>巡查中</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="101"/>
        <source>Patrol km today</source>
        <translation>今日巡查里程(公里)</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="128"/>
        <source>Reported today by source</source>
        <translation>今日上报（按来源）</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="132"/>
        <source>Open cases by street</source>
        <translation>在办案件（按街道）</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="137"/>
        <source>Reports per hour today</source>
        <translation>今日每小时上报</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="149"/>
        <source>Grids patrolled today by street (%)</source>
        <translation>各街道今日网格巡查覆盖率（%）</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="210"/>
        <source>Updated %1</source>
        <translation>更新于 %1</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="263"/>
        <source>Inspector</source>
        <translation>监督员</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="265"/>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="266"/>
        <source>Public</source>
        <translation>公众</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="267"/>
        <source>Opinion</source>
        <translation>舆情</translation>
    </message>
    <message>
        <location filename="../../console/views/dashboard_panel.py" line="268"/>
        <source>Grid staff</source>
        <translation>网格员</translation>
    </message>
</context>
<context>
    <name>DeviceTokensTab</name>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="55"/>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="58"/>
        <source>Active tokens</source>
        <translation>有效令牌</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="59"/>
        <source>All, revoked included</source>
        <translation>全部（含已吊销）</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="68"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="69"/>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="70"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="71"/>
        <source>Created</source>
        <translation>签发时间</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="72"/>
        <source>Last used</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="73"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="87"/>
        <source>A revoked device is refused at its next request and its user must sign in again. Secrets are never shown: only their hash is stored.</source>
        <translation>令牌吊销后，该设备的下一次请求即被拒绝，使用者须重新登录。令牌本身从不显示：系统只保存其哈希值。</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="96"/>
        <source>Revoke…</source>
        <translation>吊销…</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="98"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="140"/>
        <source>never</source>
        <translation>从未使用</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="152"/>
        <source>Active</source>
        <translation>有效</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="153"/>
        <source>Revoked %1</source>
        <translation>已吊销 %1</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="182"/>
        <source>Revoke the token of device %1 (%2)? The device is signed out at its next request; this cannot be undone.</source>
        <translation>吊销设备 %1（%2）的令牌？该设备将在下一次请求时被登出，此操作不可撤销。</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="188"/>
        <source>Revoke token</source>
        <translation>吊销令牌</translation>
    </message>
    <message>
        <location filename="../../console/views/device_tokens_tab.py" line="194"/>
        <source>Token of %1 revoked</source>
        <translation>已吊销 %1 的令牌</translation>
    </message>
</context>
<context>
    <name>DispatchDialog</name>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="87"/>
        <source>Dispatch cases</source>
        <extracomment>The proposal&apos;s reason shown in the department cell: the owner of the object the case names (issue 17) is news to the dispatcher; the routing table and the street committee are not.</extracomment>
        <translation>派遣案件</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="96"/>
        <source>Case number</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="97"/>
        <source>Street</source>
        <translation>街道</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="98"/>
        <source>Proposed department</source>
        <translation>建议部门</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="99"/>
        <source>Proposed tier</source>
        <translation>建议层级</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="100"/>
        <source>Time limit</source>
        <translation>处置时限</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="101"/>
        <source>Expected deadline</source>
        <translation>预计期限</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="102"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="121"/>
        <source>Department:</source>
        <translation>处置部门：</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="124"/>
        <source>Optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="127"/>
        <source>Note:</source>
        <translation>说明：</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="139"/>
        <source>Dispatch</source>
        <translation>派遣</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="162"/>
        <source>Not dispatched: %1</source>
        <translation>未派遣：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="187"/>
        <source>Proposed tiers differ: see the Proposed tier column.</source>
        <translation>各案件的建议层级不同：见“建议层级”列。</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="196"/>
        <source>By routing table (each case to its proposed department)</source>
        <translation>按路由表（各案件派往其建议部门）</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="241"/>
        <source>None of the selected cases can be dispatched.</source>
        <translation>所选案件均不能派遣。</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="244"/>
        <source>The routing table has no department for some cases: choose a department.</source>
        <translation>路由表中部分案件没有对应部门，请选择处置部门。</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="247"/>
        <source>The note is too long (at most %1 characters).</source>
        <translation>说明过长（最多 %1 字）。</translation>
    </message>
    <message>
        <location filename="../../console/views/dispatch_dialog.py" line="255"/>
        <source>%1 of %2 cases will be dispatched.</source>
        <translation>将派遣 %2 件中的 %1 件。</translation>
    </message>
</context>
<context>
    <name>DuplicatesBox</name>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="47"/>
        <source>Possible duplicates</source>
        <extracomment>(candidate, note or None): merge the shown case into the candidate. (candidate, note or None): the shown case and the candidate are two problems. A candidate&apos;s case id: make it the current case (to read it before deciding).</extracomment>
        <translation>疑似重复</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="72"/>
        <source>Open case</source>
        <translation>打开案件</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="58"/>
        <source>Case no.</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="59"/>
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="60"/>
        <source>Reported</source>
        <translation>上报时间</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="61"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="62"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="63"/>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="75"/>
        <source>Merge into selected…</source>
        <translation>合并到所选案件…</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="78"/>
        <source>Not a duplicate…</source>
        <translation>不是重复…</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="99"/>
        <source>%1 m</source>
        <translation>%1 米</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="142"/>
        <source>Merge into %1</source>
        <translation>合并到 %1</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="145"/>
        <source>Case %1 will be closed as a duplicate of %2, and %2 keeps its report on its timeline. Note (optional):</source>
        <translation>案件 %1 将作为 %2 的重复上报合并结束，%2 的时间线保留其上报内容。备注（可选）：</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="160"/>
        <source>Cases %1 and %2 report different problems. Note (optional):</source>
        <translation>案件 %1 与 %2 反映的是不同问题。备注（可选）：</translation>
    </message>
    <message>
        <location filename="../../console/views/duplicates_box.py" line="164"/>
        <source>Not a duplicate</source>
        <translation>不是重复</translation>
    </message>
</context>
<context>
    <name>EvaluationView</name>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="225"/>
        <location filename="../../console/views/evaluation_view.py" line="312"/>
        <source>All functions</source>
        <extracomment>A month was chosen (&quot;YYYY-MM&quot;): fetch its report. A function (职能) or all was chosen: fetch the month&apos;s report again. (kind, object id, metric key): show the cases behind that number. A case of a drill-down was double-clicked: open it in the console (case id). Export the current report to this file.</extracomment>
        <translation>全部职能</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="226"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="232"/>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="234"/>
        <source>Function</source>
        <translation>职能</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="243"/>
        <source>Patrols</source>
        <extracomment>网格定期巡查 (informational): the last tab, after the kinds&apos; rankings</extracomment>
        <translation>网格巡查</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="246"/>
        <source>Daily reported and closed</source>
        <translation>每日上报与结案</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="249"/>
        <source>Reported</source>
        <translation>上报</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="252"/>
        <source>Closed</source>
        <translation>结案</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="254"/>
        <source>Top categories</source>
        <translation>高发类别</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="260"/>
        <source>Reported and closed by street</source>
        <translation>各街道上报与结案</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="265"/>
        <source>On-time rate by street (%)</source>
        <translation>各街道按期结案率（%）</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="338"/>
        <source>Export evaluation</source>
        <translation>导出考核评价</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="340"/>
        <source>Excel workbook (*.xlsx);;PDF (*.pdf)</source>
        <translation>Excel 工作簿 (*.xlsx);;PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="371"/>
        <source>Monthly evaluation</source>
        <translation>月度绩效评价</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="407"/>
        <source>Streets</source>
        <translation>街道</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="408"/>
        <source>Areas</source>
        <translation>片区</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="409"/>
        <source>Units</source>
        <translation>单元</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="410"/>
        <source>Grids</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="411"/>
        <source>Departments</source>
        <translation>部门</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="412"/>
        <source>Inspectors</source>
        <translation>监督员</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="413"/>
        <source>Intake operators</source>
        <translation>受理员</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="414"/>
        <source>Duty chiefs</source>
        <translation>值班长</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="415"/>
        <source>Dispatchers</source>
        <translation>派遣员</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="491"/>
        <source>Case number</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="491"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="491"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="491"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="492"/>
        <source>Reported at</source>
        <translation>上报时间</translation>
    </message>
</context>
<context>
    <name>ExtensionDialog</name>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="169"/>
        <source>How much more time is needed, and why?</source>
        <translation>需要延长多少时间？原因是什么？</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="181"/>
        <source>work hours</source>
        <translation>工作时</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="182"/>
        <source>workdays</source>
        <translation>工作日</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="183"/>
        <source>hours</source>
        <translation>小时</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="187"/>
        <source>Extension:</source>
        <translation>延期：</translation>
    </message>
</context>
<context>
    <name>FeedbackDialog</name>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="120"/>
        <location filename="../../console/views/action_dialogs.py" line="133"/>
        <source>No photo</source>
        <translation>无照片</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="122"/>
        <source>Attach a photo…</source>
        <translation>添加照片…</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="137"/>
        <source>After-photo</source>
        <translation>处置后照片</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="137"/>
        <source>Photos (*.jpg *.jpeg *.png *.webp)</source>
        <translation>照片 (*.jpg *.jpeg *.png *.webp)</translation>
    </message>
</context>
<context>
    <name>ForceDialog</name>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="258"/>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="260"/>
        <source>Send to:</source>
        <translation>派往：</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="261"/>
        <source>Limit (within the district&apos;s deadline):</source>
        <translation>时限（不超过区里的处置时限）：</translation>
    </message>
</context>
<context>
    <name>GridStaffPanel</name>
    <message>
        <location filename="../../console/views/grid_staff_panel.py" line="60"/>
        <source>Street</source>
        <extracomment>The table&apos;s columns, in order. A grid was chosen (in the grid box, or a row double-clicked): the map fits it. Bumped by every read asked for: an older read&apos;s answer is dropped.</extracomment>
        <translation>街道</translation>
    </message>
    <message>
        <location filename="../../console/views/grid_staff_panel.py" line="63"/>
        <location filename="../../console/views/grid_staff_panel.py" line="78"/>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../console/views/grid_staff_panel.py" line="66"/>
        <location filename="../../console/views/grid_staff_panel.py" line="78"/>
        <source>Role</source>
        <translation>岗位</translation>
    </message>
    <message>
        <location filename="../../console/views/grid_staff_panel.py" line="78"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../console/views/grid_staff_panel.py" line="78"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../console/views/grid_staff_panel.py" line="146"/>
        <source>All grids</source>
        <translation>全部网格</translation>
    </message>
    <message>
        <location filename="../../console/views/grid_staff_panel.py" line="153"/>
        <source>All roles</source>
        <translation>全部岗位</translation>
    </message>
    <message>
        <location filename="../../console/views/grid_staff_panel.py" line="183"/>
        <source>{0} grids, {1} staff</source>
        <translation>{0} 个网格，{1} 人</translation>
    </message>
</context>
<context>
    <name>HandoverDialog</name>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="102"/>
        <source>Shift handover</source>
        <extracomment>&quot;outgoing&quot; or &quot;incoming&quot;: the signed-in officer wants to sign that side. The notes as typed: save the handover (or its notes). A PDF of the handover was written to this path (a :class:`pathlib.Path`).</extracomment>
        <translation>交接班</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="110"/>
        <source>Shift: %1  %2 – %3</source>
        <translation>班次：%1  %2 – %3</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="120"/>
        <source>On duty: %1</source>
        <translation>值班人员：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="120"/>
        <source>nobody on the roster</source>
        <translation>无排班</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="144"/>
        <source>New reports</source>
        <translation>新上报</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="148"/>
        <source>Overdue now</source>
        <translation>当前超期</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="163"/>
        <source>Open supervision</source>
        <translation>在办督办</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="150"/>
        <location filename="../../console/views/handover_dialog.py" line="164"/>
        <source>Unacknowledged alerts</source>
        <translation>未确认提醒</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="126"/>
        <source>Incoming officer</source>
        <translation>接班人</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="129"/>
        <source>— choose who takes over —</source>
        <translation>— 选择接班人 —</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="145"/>
        <source>Registered</source>
        <comment>handover count</comment>
        <translation>立案</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="146"/>
        <source>Dispatched</source>
        <comment>handover count</comment>
        <translation>派遣</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="147"/>
        <source>Closed</source>
        <comment>handover count</comment>
        <translation>结案</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="149"/>
        <source>Cases under supervision</source>
        <translation>在办督办（件）</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="153"/>
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="153"/>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="162"/>
        <source>Overdue cases</source>
        <translation>超期案件</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="170"/>
        <source>Deadline</source>
        <translation>处置期限</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="170"/>
        <source>Alert</source>
        <translation>提醒</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="185"/>
        <source>Case number</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="186"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="187"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="188"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="199"/>
        <source>Notes</source>
        <translation>交接说明</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="203"/>
        <source>What the next shift needs to know</source>
        <translation>需要下一班知道的事项</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="214"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="216"/>
        <source>Sign as outgoing</source>
        <translation>交班签字</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="218"/>
        <source>Sign as incoming</source>
        <translation>接班签字</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="220"/>
        <source>Export PDF…</source>
        <translation>导出PDF…</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="222"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="272"/>
        <source>Outgoing</source>
        <translation>交班人</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="272"/>
        <source>Incoming</source>
        <translation>接班人</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="274"/>
        <source>%1: not signed</source>
        <translation>%1：未签字</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="278"/>
        <source>%1 %2: not signed</source>
        <translation>%1 %2：未签字</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="280"/>
        <source>%1 %2: signed %3</source>
        <translation>%1 %2：已于 %3 签字</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="289"/>
        <source>The handover is complete.</source>
        <translation>交接班已完成。</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="333"/>
        <source>Export handover as PDF</source>
        <translation>导出交接班记录为PDF</translation>
    </message>
    <message>
        <location filename="../../console/views/handover_dialog.py" line="335"/>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../console/views/import_dialog.py" line="69"/>
        <source>Import reports</source>
        <extracomment>The formats `grid-console ingest --format` takes. Where reports come from (codes of console.services.report_input.SOURCE_LABELS). The progress dialog counts in thousandths (a QProgressDialog holds an int range). The import ended: the console.services.ingest.IngestResult. The import failed or was cancelled: (code, message). Progress as posted from the worker: (rows done, rows in the file).</extracomment>
        <translation>导入上报</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="78"/>
        <source>CSV, JSON lines, JSON, Open311 or GeoJSON</source>
        <extracomment>The last import&apos;s result (not ``result``: that is QDialog.result(), the dialog code).</extracomment>
        <translation>CSV、JSON Lines、JSON、Open311 或 GeoJSON</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="80"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="87"/>
        <source>Detect</source>
        <translation>自动识别</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="91"/>
        <source>As in the file</source>
        <translation>按文件所列</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="94"/>
        <source>Dry run: check every row, import nothing</source>
        <translation>试运行：逐行检查，不导入</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="97"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="98"/>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="99"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="106"/>
        <source>Open rejections…</source>
        <translation>查看被拒行…</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="112"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="125"/>
        <source>Importing</source>
        <translation>正在导入</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="141"/>
        <source>Choose a file to import</source>
        <translation>选择要导入的文件</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="143"/>
        <source>Reports (%1)</source>
        <translation>上报文件 (%1)</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="145"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="175"/>
        <source>Reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="195"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="203"/>
        <source>%1 of %2 rows</source>
        <translation>%1 / %2 行</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="217"/>
        <source>Dry run: nothing was imported.</source>
        <translation>试运行：未导入任何数据。</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="218"/>
        <source>%1 rows (%2, %3)</source>
        <translation>%1 行（%2，%3）</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="220"/>
        <source>Valid: %1</source>
        <translation>有效：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="220"/>
        <source>Accepted: %1</source>
        <translation>已导入：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="222"/>
        <source>Rejected: %1</source>
        <translation>被拒：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="223"/>
        <source>Duplicates (already imported): %1</source>
        <translation>重复（此前已导入）：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="227"/>
        <source>Flagged as possible duplicates: %1</source>
        <translation>标记为疑似重复：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="229"/>
        <source>Report: %1</source>
        <translation>报告文件：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="238"/>
        <source>Cancelled: nothing was imported.</source>
        <translation>已取消：未导入任何数据。</translation>
    </message>
    <message>
        <location filename="../../console/views/import_dialog.py" line="240"/>
        <source>Import failed: %1</source>
        <translation>导入失败：%1</translation>
    </message>
</context>
<context>
    <name>Insight</name>
    <message>
        <location filename="../../console/views/insight.py" line="53"/>
        <source>Monthly evaluation</source>
        <extracomment>A case picked in the evaluation&apos;s drill-down: the window makes it current.</extracomment>
        <translation>月度绩效评价</translation>
    </message>
    <message>
        <location filename="../../console/views/insight.py" line="104"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../console/views/insight.py" line="108"/>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
</context>
<context>
    <name>InspectorDialog</name>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="214"/>
        <source>Inspector:</source>
        <translation>监督员：</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="226"/>
        <source>No active inspector to choose: add one under Users first.</source>
        <translation>没有可选的在岗监督员：请先在用户管理中添加。</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../console/views/labels.py" line="13"/>
        <source>Inspector</source>
        <extracomment>Report sources: English source text, translated in the &quot;Labels&quot; context.</extracomment>
        <translation>监督员</translation>
    </message>
    <message>
        <location filename="../../console/views/labels.py" line="14"/>
        <source>12345 hotline</source>
        <translation>12345热线</translation>
    </message>
    <message>
        <location filename="../../console/views/labels.py" line="15"/>
        <source>Video patrol</source>
        <translation>视频巡查</translation>
    </message>
    <message>
        <location filename="../../console/views/labels.py" line="16"/>
        <source>Public</source>
        <translation>公众</translation>
    </message>
    <message>
        <location filename="../../console/views/labels.py" line="17"/>
        <source>Public opinion</source>
        <translation>舆情</translation>
    </message>
    <message>
        <location filename="../../console/views/labels.py" line="18"/>
        <source>Grid staff</source>
        <translation>网格员</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../console/views/login_dialog.py" line="54"/>
        <source>Sign in — Grid Dispatch Console</source>
        <extracomment>What ``authenticate`` returns: a workbench, an actor, (name, workbench)… The value ``authenticate`` returned (a workbench or an actor), once signed in.</extracomment>
        <translation>登录 — 网格化管理指挥调度台</translation>
    </message>
    <message>
        <location filename="../../console/views/login_dialog.py" line="66"/>
        <source>User name:</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <location filename="../../console/views/login_dialog.py" line="67"/>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <location filename="../../console/views/login_dialog.py" line="89"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../console/views/login_dialog.py" line="107"/>
        <source>Enter your user name and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <location filename="../../console/views/login_dialog.py" line="111"/>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <location filename="../../console/views/login_dialog.py" line="147"/>
        <source>Demo database — accounts (user name / password); click one to use it:</source>
        <translation>演示数据库 — 账户（用户名 / 密码），点击即可使用：</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../console/views/main_window.py" line="101"/>
        <source>Case detail</source>
        <extracomment>The queue each role starts from on a first start (later: the last one used). The first page of the queue and (when shown) the map are on screen. The one owner of the current case: the queue, map and detail follow it, actions ask it. The steps on cases (toolbar, detail panel, batch dispatch): console.views.case_actions.</extracomment>
        <translation>案件详情</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="108"/>
        <source>Map</source>
        <translation>地图</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="138"/>
        <source>Grid staff</source>
        <translation>网格人员（一格七员）</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="117"/>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="129"/>
        <source>Dashboard</source>
        <translation>看板</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="153"/>
        <source>Repeat offenders</source>
        <translation>重复问题部件</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="265"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="266"/>
        <source>&amp;Case</source>
        <translation>案件(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="267"/>
        <source>&amp;Duty</source>
        <translation>值班(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="268"/>
        <source>&amp;Reports</source>
        <translation>报表(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="269"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="270"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="272"/>
        <source>Case actions</source>
        <translation>案件操作</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="360"/>
        <source>Switch user</source>
        <translation>切换用户</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="373"/>
        <source>Password changed</source>
        <translation>密码已修改</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="449"/>
        <source>%1 merged into %2</source>
        <translation>%1 已合并到 %2</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="441"/>
        <location filename="../../console/views/main_window.py" line="454"/>
        <source>Reported: %1</source>
        <translation>已上报: %1</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="544"/>
        <source>Unacknowledged alerts: %1</source>
        <translation>未确认告警：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="601"/>
        <source>Updated by %1 just now</source>
        <translation>%1 刚刚更新了此案件</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="613"/>
        <source>Live ●</source>
        <translation>实时 ●</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="613"/>
        <source>Live feed down</source>
        <translation>实时更新中断</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="626"/>
        <source>Green %1  Yellow %2  Red %3</source>
        <translation>绿灯 %1  黄灯 %2  红灯 %3</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="639"/>
        <source>Grid Dispatch Console — %1</source>
        <translation>网格化管理指挥调度台 — %1</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="652"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../console/views/main_window.py" line="653"/>
        <source>%1 alerts are not acknowledged. Quit anyway?</source>
        <translation>尚有 %1 条提醒未确认，仍要退出吗？</translation>
    </message>
</context>
<context>
    <name>Map</name>
    <message>
        <location filename="../../console/views/app.py" line="66"/>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="76"/>
        <source>Basemap</source>
        <translation>底图</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="77"/>
        <source>Grids</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="78"/>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="74"/>
        <location filename="../../console/views/app.py" line="79"/>
        <source>Open cases per grid</source>
        <translation>案件密度</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="69"/>
        <source>Lights</source>
        <translation>灯色</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="70"/>
        <source>Green: in time</source>
        <translation>绿灯：时限内</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="71"/>
        <source>Yellow: most of the time used</source>
        <translation>黄灯：即将超期</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="72"/>
        <source>Red: overdue</source>
        <translation>红灯：已超期</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="73"/>
        <source>Not on the clock</source>
        <translation>未计时</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="80"/>
        <source>Street</source>
        <translation>街道</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="81"/>
        <source>Community</source>
        <translation>社区</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="82"/>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../console/views/app.py" line="83"/>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="37"/>
        <source>Patrol staff</source>
        <extracomment>How often the layers are read while the map is visible. The layers with nobody on them.</extracomment>
        <translation>巡查人员</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="38"/>
        <source>Today&apos;s tracks</source>
        <translation>今日轨迹</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="39"/>
        <source>Patrol coverage</source>
        <translation>巡查覆盖</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="44"/>
        <source>Inspector</source>
        <translation>监督员</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="45"/>
        <source>Grid manager</source>
        <translation>网格员</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="47"/>
        <source>Last position</source>
        <translation>最后位置</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="48"/>
        <source>just now</source>
        <translation>刚刚</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="49"/>
        <source>%1 min ago</source>
        <translation>%1 分钟前</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="50"/>
        <source>Accuracy ±%1 m</source>
        <translation>精度 ±%1 米</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="51"/>
        <source>On patrol</source>
        <translation>巡查中</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="52"/>
        <source>Patrol ended</source>
        <translation>巡查已结束</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="53"/>
        <source>No position for 5 min or more</source>
        <translation>5 分钟以上无新位置</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="54"/>
        <source>Patrolled today (metres per grid)</source>
        <translation>今日巡查（每格米数）</translation>
    </message>
    <message>
        <location filename="../../console/views/map_patrols.py" line="55"/>
        <source>Not patrolled</source>
        <translation>未巡查</translation>
    </message>
</context>
<context>
    <name>MapFilterBar</name>
    <message>
        <location filename="../../console/views/map_filter.py" line="31"/>
        <source>Show the cases of one function only</source>
        <translation>只显示某一职能的案件</translation>
    </message>
    <message>
        <location filename="../../console/views/map_filter.py" line="32"/>
        <location filename="../../console/views/map_filter.py" line="58"/>
        <source>All functions</source>
        <translation>全部职能</translation>
    </message>
</context>
<context>
    <name>NearbyCasesBox</name>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="42"/>
        <source>Possible duplicates nearby</source>
        <extracomment>A listed case id: make it the current case, to read it. The listed case (a NearbyCase) the call should be merged into.</extracomment>
        <translation>附近的疑似重复案件</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="46"/>
        <location filename="../../console/views/nearby_cases_box.py" line="87"/>
        <source>Choose a category and a point to look for them</source>
        <translation>选定问题类别和位置后，这里列出附近同类的在办案件</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="56"/>
        <source>Case no.</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="57"/>
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="58"/>
        <source>Reported</source>
        <translation>上报时间</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="59"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="60"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="61"/>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="70"/>
        <source>Open case</source>
        <translation>打开案件</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="73"/>
        <source>Merge this call into the selected case</source>
        <translation>将本次上报合并到所选案件</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="89"/>
        <source>No open case of this category nearby</source>
        <translation>附近没有同类的在办案件</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="93"/>
        <source>%1 open case(s) of this category nearby: merge instead of a new case?</source>
        <translation>附近有 %1 件同类在办案件：是否合并，而不新建案件？</translation>
    </message>
    <message>
        <location filename="../../console/views/nearby_cases_box.py" line="100"/>
        <source>%1 m</source>
        <translation>%1 米</translation>
    </message>
</context>
<context>
    <name>NightShift</name>
    <message>
        <location filename="../../console/views/night_shift.py" line="90"/>
        <source>Your role (%1) may not acknowledge alerts</source>
        <extracomment>How often the alerts list is re-read (acknowledgements made at other seats show up). The number of unacknowledged alerts changed (status bar, window title). The user asked to see a case from an alert.</extracomment>
        <translation>您的角色（%1）无权确认提醒</translation>
    </message>
    <message>
        <location filename="../../console/views/night_shift.py" line="118"/>
        <source>Patrol gaps: %1 new street alerts</source>
        <translation>巡查缺漏：新增 %1 个街道提醒</translation>
    </message>
    <message>
        <location filename="../../console/views/night_shift.py" line="191"/>
        <source>Alarm silenced for 10 minutes</source>
        <translation>警报已静音10分钟</translation>
    </message>
    <message>
        <location filename="../../console/views/night_shift.py" line="201"/>
        <source>Select a case first</source>
        <translation>请先选择案件</translation>
    </message>
    <message>
        <location filename="../../console/views/night_shift.py" line="204"/>
        <source>No scheduler on this seat</source>
        <translation>本席位未启用调度</translation>
    </message>
    <message>
        <location filename="../../console/views/night_shift.py" line="218"/>
        <location filename="../../console/views/night_shift.py" line="235"/>
        <source>Reminder</source>
        <translation>提醒</translation>
    </message>
    <message>
        <location filename="../../console/views/night_shift.py" line="223"/>
        <source>Reminder set for %1</source>
        <translation>已设置提醒：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/night_shift.py" line="228"/>
        <source>Reminder: case %1 — %2</source>
        <translation>提醒：案件 %1 — %2</translation>
    </message>
    <message>
        <location filename="../../console/views/night_shift.py" line="240"/>
        <source>Open case</source>
        <translation>打开案件</translation>
    </message>
    <message>
        <location filename="../../console/views/night_shift.py" line="270"/>
        <location filename="../../console/views/night_shift.py" line="292"/>
        <location filename="../../console/views/night_shift.py" line="322"/>
        <source>Shift handover</source>
        <translation>交接班</translation>
    </message>
    <message>
        <location filename="../../console/views/night_shift.py" line="293"/>
        <source>The outgoing officer signs first.</source>
        <translation>请交班人先签字。</translation>
    </message>
    <message>
        <location filename="../../console/views/night_shift.py" line="323"/>
        <source>Password of %1</source>
        <translation>%1 的密码</translation>
    </message>
</context>
<context>
    <name>NoMapView</name>
    <message>
        <location filename="../../console/views/map_fallback.py" line="109"/>
        <source>Qt WebEngine cannot start as root with its sandbox on. Run the console as a normal user, or set QTWEBENGINE_DISABLE_SANDBOX=1.</source>
        <extracomment>WebEngine&apos;s own switch for the sandbox (as good as --no-sandbox in its flags).</extracomment>
        <translation>Qt WebEngine 不能以 root 身份在沙箱开启时运行。请以普通用户启动调度台，或设置 QTWEBENGINE_DISABLE_SANDBOX=1。</translation>
    </message>
    <message>
        <location filename="../../console/views/map_fallback.py" line="114"/>
        <source>Qt WebEngine could not be loaded (%1). Install the system libraries listed in the README.</source>
        <translation>无法加载 Qt WebEngine（%1）。请安装 README 中列出的系统库。</translation>
    </message>
    <message>
        <location filename="../../console/views/map_fallback.py" line="117"/>
        <source>The map is unavailable: %1 Everything else works.</source>
        <translation>地图不可用：%1 其他功能均可正常使用。</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="64"/>
        <source>Required</source>
        <extracomment>The services refuse longer notes (console.services.workflow); say so before sending.</extracomment>
        <translation>必填</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="64"/>
        <source>Optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="89"/>
        <source>A note is required for this action.</source>
        <translation>此操作须填写说明。</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="92"/>
        <source>The note is too long (%1 of at most %2 characters).</source>
        <translation>说明过长（%1 字，最多 %2 字）。</translation>
    </message>
</context>
<context>
    <name>PasswordResetDialog</name>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="143"/>
        <source>New password for %1</source>
        <translation>为 %1 设置新密码</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="147"/>
        <source>New password:</source>
        <translation>新密码：</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="148"/>
        <source>Password again:</source>
        <translation>再次输入密码：</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="155"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>PatrolGapsModel</name>
    <message>
        <location filename="../../console/views/alerts_model.py" line="374"/>
        <source>Alert</source>
        <translation>提醒</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="375"/>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="376"/>
        <source>Street</source>
        <translation>街道</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="377"/>
        <source>Unpatrolled grids</source>
        <translation>未巡查网格</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="378"/>
        <source>Recipient</source>
        <translation>接收方</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="379"/>
        <source>Acknowledged by</source>
        <translation>确认人</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="380"/>
        <source>Acknowledged at</source>
        <translation>确认时间</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="393"/>
        <source>Not patrolled within their frequency on %1:</source>
        <translation>%1 未按频次巡查的网格：</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="412"/>
        <source>Patrol gap</source>
        <translation>巡查缺漏</translation>
    </message>
    <message>
        <location filename="../../console/views/alerts_model.py" line="418"/>
        <source>%1 grids not patrolled</source>
        <translation>%1 个网格未巡查</translation>
    </message>
</context>
<context>
    <name>PatrolPanel</name>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="50"/>
        <source>Streets</source>
        <translation>街道</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="51"/>
        <source>Areas</source>
        <translation>片区</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="52"/>
        <source>Units</source>
        <translation>单元</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="53"/>
        <location filename="../../console/views/evaluation_patrols.py" line="61"/>
        <source>Grids</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="60"/>
        <location filename="../../console/views/evaluation_patrols.py" line="72"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="62"/>
        <source>Patrols due</source>
        <translation>应巡查次数</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="63"/>
        <source>Patrols done</source>
        <translation>已巡查次数</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="64"/>
        <source>Patrol coverage</source>
        <translation>巡查覆盖率</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="65"/>
        <source>Grids patrolled</source>
        <translation>巡查网格数</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="66"/>
        <source>Track inside (m)</source>
        <translation>巡查长度(米)</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="73"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="74"/>
        <source>Patrols</source>
        <translation>巡查次数</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="75"/>
        <source>Distance (km)</source>
        <translation>巡查里程(公里)</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="76"/>
        <source>Reported</source>
        <translation>上报数</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="80"/>
        <source>Patrol coverage of</source>
        <translation>巡查覆盖率：</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="116"/>
        <source>No patrol figures in this report.</source>
        <translation>本报告没有巡查数据。</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_patrols.py" line="123"/>
        <source>District patrol coverage %1 (%2 of %3 due, %4 days counted); patrols open now: %5. Informational: in no composite.</source>
        <translation>全区巡查覆盖率 %1（应巡查 %3 次，已巡查 %2 次，计 %4 天）；当前进行中的巡查 %5 次。仅供参考，不计入综合指标值。</translation>
    </message>
</context>
<context>
    <name>PendingLocationsDialog</name>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="58"/>
        <source>Reports to place on the map</source>
        <extracomment>How much of a description the list shows (the whole text is below the list). New reports arrive from the gateway without a case event to follow: the list is read again this often while the dialog is open, ms. A pending report became a case: its CaseSnapshot.</extracomment>
        <translation>待定位报告</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="75"/>
        <source>Received</source>
        <translation>收到时间</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="75"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="75"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="75"/>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="83"/>
        <source>No report is waiting for its place</source>
        <translation>没有待定位的报告</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="89"/>
        <source>Longitude, e.g. 108.93</source>
        <translation>经度，如 108.93</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="90"/>
        <source>Latitude, e.g. 34.27</source>
        <translation>纬度，如 34.27</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="96"/>
        <source>Choose a report, then click its place on the map</source>
        <translation>先选择一条报告，再在地图上点选其位置</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="105"/>
        <source>Place and report</source>
        <translation>定位并上报</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="109"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="182"/>
        <source>Caller: %1</source>
        <translation>上报人：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="204"/>
        <source>Type both coordinates as numbers</source>
        <translation>请以数字填写经度和纬度</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="231"/>
        <source>In %1, grid %2 %3</source>
        <translation>位于%1，网格 %2 %3</translation>
    </message>
    <message>
        <location filename="../../console/views/pending_locations_dialog.py" line="260"/>
        <source>Reported: %1</source>
        <translation>已上报：%1</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <location filename="../../console/views/queue_panel.py" line="111"/>
        <source>All states</source>
        <extracomment>Queue column → the sort key the queue service takes (columns it cannot sort are absent). The period box&apos;s &quot;from … to …&quot; entry: two date pickers take over. The tab that searches every case, whatever its state (resources/queues/tabs.csv). Queue column → its key in an export (console.services.cases.export.COLUMNS), in the model&apos;s column order. The selected case ids changed (the first one becomes the current case). An export finished: console.services.cases.export.ExportResult. An export failed: the message.</extracomment>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="127"/>
        <source>Search case no., address, description</source>
        <translation>搜索案件编号、地址、描述</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="180"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="210"/>
        <source>All streets</source>
        <translation>全部街道</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="213"/>
        <location filename="../../console/views/queue_panel.py" line="262"/>
        <location filename="../../console/views/queue_panel.py" line="270"/>
        <source>All grids</source>
        <translation>全部网格</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="217"/>
        <source>All categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="225"/>
        <source>All functions</source>
        <translation>全部职能</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="230"/>
        <source>Any time</source>
        <translation>全部时间</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="232"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="233"/>
        <source>Last 7 days</source>
        <translation>近7天</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="234"/>
        <source>Last 30 days</source>
        <translation>近30天</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="235"/>
        <source>From … to …</source>
        <translation>起止日期…</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="240"/>
        <source>All departments</source>
        <translation>全部部门</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="245"/>
        <source>All sources</source>
        <translation>全部来源</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="250"/>
        <source>All lights</source>
        <translation>全部灯色</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="252"/>
        <source>Green</source>
        <translation>绿灯</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="253"/>
        <source>Yellow</source>
        <translation>黄灯</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="254"/>
        <source>Red</source>
        <translation>红灯</translation>
    </message>
    <message numerus="yes">
        <location filename="../../console/views/queue_panel.py" line="343"/>
        <source>%n case(s)</source>
        <translation>
            <numerusform>%n 件</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="475"/>
        <source>Export queue</source>
        <translation>导出队列</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="476"/>
        <source>cases.xlsx</source>
        <translation>案件.xlsx</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="477"/>
        <source>Excel (*.xlsx);;CSV, UTF-8 (*.csv);;Open311 JSON (*.json)</source>
        <translation>Excel (*.xlsx);;CSV，UTF-8 (*.csv);;Open311 JSON (*.json)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../console/views/queue_panel.py" line="495"/>
        <source>%n case(s) exported to %1</source>
        <translation>
            <numerusform>已导出 %n 件案件到 %1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="501"/>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/queue_panel.py" line="506"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
</context>
<context>
    <name>RankingModel</name>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="156"/>
        <source>Rank</source>
        <extracomment>The bar chart by category shows the most frequent categories only: at most this many, and no more than its height gives each label (a crammed axis is unreadable). Months offered besides the current one.</extracomment>
        <translation>排名</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="156"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="156"/>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <location filename="../../console/views/evaluation_view.py" line="156"/>
        <source>Composite</source>
        <translation>综合指标值</translation>
    </message>
</context>
<context>
    <name>ReminderDialog</name>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="338"/>
        <source>Remind me about %1</source>
        <translation>提醒我：%1</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="340"/>
        <source>Remind me</source>
        <translation>提醒我</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="346"/>
        <source>In working hours:</source>
        <extracomment>Which case the reminder is for, said in the dialog itself (never a guess).</extracomment>
        <translation>工作时后：</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="347"/>
        <source>At:</source>
        <translation>时间：</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="361"/>
        <source>What to check</source>
        <translation>需要核对的内容</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="364"/>
        <source>Case:</source>
        <translation>案件：</translation>
    </message>
    <message>
        <location filename="../../console/views/action_dialogs.py" line="367"/>
        <source>Note:</source>
        <translation>说明：</translation>
    </message>
</context>
<context>
    <name>RepeatOffendersPanel</name>
    <message>
        <location filename="../../console/views/repeat_offenders_panel.py" line="43"/>
        <source>At least %1 cases in %2 months</source>
        <extracomment>Where a row keeps its object&apos;s id, longitude and latitude.</extracomment>
        <translation>%2 个月内不少于 %1 件案件</translation>
    </message>
    <message>
        <location filename="../../console/views/repeat_offenders_panel.py" line="47"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../console/views/repeat_offenders_panel.py" line="53"/>
        <source>Identifier</source>
        <translation>部件标识码</translation>
    </message>
    <message>
        <location filename="../../console/views/repeat_offenders_panel.py" line="54"/>
        <source>Name</source>
        <translation>部件名称</translation>
    </message>
    <message>
        <location filename="../../console/views/repeat_offenders_panel.py" line="55"/>
        <source>Owner department</source>
        <translation>主管部门</translation>
    </message>
    <message>
        <location filename="../../console/views/repeat_offenders_panel.py" line="56"/>
        <source>Cases</source>
        <translation>案件数</translation>
    </message>
    <message>
        <location filename="../../console/views/repeat_offenders_panel.py" line="57"/>
        <source>Last reported</source>
        <translation>最近上报</translation>
    </message>
    <message>
        <location filename="../../console/views/repeat_offenders_panel.py" line="103"/>
        <source>%1 repeat offenders (%2)</source>
        <translation>重复问题部件 %1 个（%2）</translation>
    </message>
</context>
<context>
    <name>ReportFormDialog</name>
    <message>
        <location filename="../../console/views/report_form.py" line="83"/>
        <source>New report</source>
        <extracomment>The sources a call can come from at the intake seat (console.services.report_input). Typing pauses this long before the point and the nearby cases are looked up, ms. The demo district&apos;s neighbourhood: a typed point far from it but near it swapped is a slip. A report was saved: its FiledReport (console.services.report_desk). A nearby case id to show in the main window.</extracomment>
        <translation>新建上报</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="104"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="105"/>
        <source>Caller&apos;s name</source>
        <translation>来电人姓名</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="106"/>
        <source>Caller&apos;s phone (staff only)</source>
        <translation>来电号码（仅工作人员可见）</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="110"/>
        <source>Caller</source>
        <translation>来电人</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="112"/>
        <source>Code, name or pinyin initials (ljx: 垃圾箱)</source>
        <translation>代码、名称或拼音首字母（ljx: 垃圾箱）</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="119"/>
        <source>No category chosen</source>
        <translation>尚未选择问题类别</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="125"/>
        <source>Category</source>
        <translation>问题类别</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="129"/>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="131"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="132"/>
        <source>Longitude, e.g. 108.93</source>
        <translation>经度，如 108.93</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="133"/>
        <source>Latitude, e.g. 34.27</source>
        <translation>纬度，如 34.27</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="139"/>
        <source>Point</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="140"/>
        <source>Click on the map, or type the coordinates</source>
        <translation>在地图上点选位置，或输入经纬度</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="148"/>
        <source>Add photos…</source>
        <translation>添加照片…</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="150"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="158"/>
        <location filename="../../console/views/report_form.py" line="322"/>
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="159"/>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="174"/>
        <source>Report</source>
        <translation>上报</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="183"/>
        <source>Ctrl+Enter</source>
        <translation>Ctrl+Enter 上报</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="237"/>
        <source>Chosen: %1</source>
        <translation>已选: %1</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="255"/>
        <source>Type both coordinates as numbers</source>
        <translation>请以数字输入经度和纬度</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="264"/>
        <source>Longitude and latitude look swapped: the district is near longitude 108.9, latitude 34.27</source>
        <translation>经纬度似乎写反了：本区约在经度 108.9、纬度 34.27</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="309"/>
        <source>In %1, grid %2 %3</source>
        <translation>位于%1，网格 %2 %3</translation>
    </message>
    <message>
        <location filename="../../console/views/report_form.py" line="322"/>
        <source>Images (*.jpg *.jpeg *.png *.webp)</source>
        <translation>图片 (*.jpg *.jpeg *.png *.webp)</translation>
    </message>
</context>
<context>
    <name>RosterDialog</name>
    <message>
        <location filename="../../console/views/roster_dialog.py" line="50"/>
        <source>Duty roster</source>
        <extracomment>A week was (re)loaded: tests and the window wait on it.</extracomment>
        <translation>值班表</translation>
    </message>
    <message>
        <location filename="../../console/views/roster_dialog.py" line="60"/>
        <source>◀ Previous week</source>
        <extracomment>Column → (shift code, role).</extracomment>
        <translation>◀ 上一周</translation>
    </message>
    <message>
        <location filename="../../console/views/roster_dialog.py" line="61"/>
        <source>Next week ▶</source>
        <translation>下一周 ▶</translation>
    </message>
    <message>
        <location filename="../../console/views/roster_dialog.py" line="80"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../console/views/roster_dialog.py" line="100"/>
        <source>Only the duty chief may change the roster</source>
        <translation>只有值班长可以修改值班表</translation>
    </message>
    <message>
        <location filename="../../console/views/roster_dialog.py" line="166"/>
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
</context>
<context>
    <name>SeedSplash</name>
    <message>
        <location filename="../../console/views/seed_splash.py" line="29"/>
        <source>Generating the district&apos;s streets, units and grids…</source>
        <extracomment>``seed(progress)``: the seeding, run on the database worker; progress from that thread.</extracomment>
        <translation>正在生成本区的街道、单元和网格…</translation>
    </message>
    <message>
        <location filename="../../console/views/seed_splash.py" line="32"/>
        <source>Loading categories, time limits and departments…</source>
        <translation>正在载入分类、处置时限和部门…</translation>
    </message>
    <message>
        <location filename="../../console/views/seed_splash.py" line="35"/>
        <source>Creating the demo accounts and grid staff…</source>
        <translation>正在创建演示账户和一格七员…</translation>
    </message>
    <message>
        <location filename="../../console/views/seed_splash.py" line="38"/>
        <source>Walking the demo cases through the loop…</source>
        <translation>正在按闭环流程生成演示案件…</translation>
    </message>
    <message>
        <location filename="../../console/views/seed_splash.py" line="41"/>
        <source>Finishing…</source>
        <translation>即将完成…</translation>
    </message>
    <message>
        <location filename="../../console/views/seed_splash.py" line="57"/>
        <source>Grid Dispatch Console</source>
        <translation>网格化管理指挥调度台</translation>
    </message>
    <message>
        <location filename="../../console/views/seed_splash.py" line="58"/>
        <source>First start: preparing the demo district (莲湖区)</source>
        <translation>首次运行：正在准备演示区（莲湖区）</translation>
    </message>
    <message>
        <location filename="../../console/views/seed_splash.py" line="92"/>
        <source>%1 of %2 cases</source>
        <translation>案件 %1 / %2</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../console/views/shortcuts_dialog.py" line="15"/>
        <source>Keyboard shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location filename="../../console/views/shortcuts_dialog.py" line="17"/>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <location filename="../../console/views/shortcuts_dialog.py" line="17"/>
        <source>Shortcut</source>
        <translation>快捷键</translation>
    </message>
</context>
<context>
    <name>TrayNotifier</name>
    <message>
        <location filename="../../console/views/tray.py" line="95"/>
        <source>Unacknowledged alerts: %1</source>
        <extracomment>How many alert messages the notification body lists. How long the notification stays up, in milliseconds.</extracomment>
        <translation>未确认告警：%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../console/views/tray.py" line="100"/>
        <source>%n new alert(s)</source>
        <translation>
            <numerusform>%n 条新告警</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../console/views/tray.py" line="110"/>
        <source>… and %1 more</source>
        <translation>…另有 %1 条</translation>
    </message>
</context>
<context>
    <name>UserAdminDialog</name>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="168"/>
        <source>Users and security log</source>
        <translation>用户与安全日志</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="185"/>
        <location filename="../../console/views/user_admin_dialog.py" line="221"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="186"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="187"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="188"/>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="189"/>
        <source>Active</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="190"/>
        <location filename="../../console/views/user_admin_dialog.py" line="325"/>
        <source>Locked</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="191"/>
        <source>Last sign-in</source>
        <translation>最近登录</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="200"/>
        <source>Add…</source>
        <translation>新增…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="201"/>
        <source>Change role…</source>
        <translation>变更角色…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="202"/>
        <source>Reset password…</source>
        <translation>重置密码…</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="203"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="204"/>
        <location filename="../../console/views/user_admin_dialog.py" line="425"/>
        <source>Deactivate</source>
        <translation>停用</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="205"/>
        <source>Reactivate</source>
        <translation>重新启用</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="213"/>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="219"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="220"/>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="222"/>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="223"/>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="229"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="232"/>
        <source>Security log</source>
        <translation>安全日志</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="234"/>
        <source>Devices and tokens</source>
        <translation>设备与令牌</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="290"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="290"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="323"/>
        <source>Signed in</source>
        <translation>登录成功</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="324"/>
        <source>Sign-in failed</source>
        <translation>登录失败</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="326"/>
        <source>Unlocked</source>
        <translation>已解锁</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="327"/>
        <source>Password changed</source>
        <translation>密码已修改</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="328"/>
        <source>Password reset</source>
        <translation>密码已重置</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="329"/>
        <source>User created</source>
        <translation>用户已创建</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="330"/>
        <source>Role changed</source>
        <translation>角色已变更</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="331"/>
        <source>Deactivated</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="332"/>
        <source>Reactivated</source>
        <translation>已重新启用</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="333"/>
        <source>Device token issued</source>
        <translation>签发设备令牌</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="334"/>
        <source>Device token revoked</source>
        <translation>设备令牌已吊销</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="379"/>
        <source>User %1 created</source>
        <translation>已创建用户 %1</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="402"/>
        <source>Role of %1 changed</source>
        <translation>已变更 %1 的角色</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="416"/>
        <source>New password set for %1</source>
        <translation>已为 %1 设置新密码</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="426"/>
        <source>Deactivate %1? They can no longer sign in; their history stays.</source>
        <translation>停用 %1？停用后无法登录，其历史记录保留。</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="439"/>
        <source>%1 unlocked</source>
        <translation>已解锁 %1</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="443"/>
        <source>%1 deactivated</source>
        <translation>已停用 %1</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="448"/>
        <source>%1 reactivated</source>
        <translation>已重新启用 %1</translation>
    </message>
</context>
<context>
    <name>UserFormDialog</name>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="78"/>
        <source>Change role of %1</source>
        <translation>变更 %1 的角色</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="79"/>
        <source>New user</source>
        <translation>新增用户</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="91"/>
        <location filename="../../console/views/user_admin_dialog.py" line="98"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="105"/>
        <source>User name:</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="106"/>
        <source>Name:</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="107"/>
        <source>Role:</source>
        <translation>角色：</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="108"/>
        <source>Department (handlers):</source>
        <translation>部门（处置人员）：</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="109"/>
        <source>Street / unit (street seats):</source>
        <translation>所属街道/单元（街道席位）：</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="111"/>
        <source>Initial password:</source>
        <translation>初始密码：</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="112"/>
        <source>Password again:</source>
        <translation>再次输入密码：</translation>
    </message>
    <message>
        <location filename="../../console/views/user_admin_dialog.py" line="124"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>WallWindow</name>
    <message>
        <location filename="../../console/views/wall.py" line="235"/>
        <source>Grid management wall</source>
        <extracomment>督办 level names (zh, en) from resources/supervision/levels.csv, for the ticker. The map has its markers and the numbers are in: ready to be seen (and screenshot).</extracomment>
        <translation>网格化管理大屏</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="241"/>
        <source>District grid management</source>
        <translation>网格化管理指挥中心</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="243"/>
        <source>Waiting for data…</source>
        <translation>等待数据…</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="251"/>
        <source>Database connection lost, reconnecting…</source>
        <translation>数据库连接中断，正在重连…</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="302"/>
        <source>Key numbers</source>
        <translation>关键指标</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="306"/>
        <source>Open cases</source>
        <translation>在办案件</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="307"/>
        <source>Red (overdue)</source>
        <translation>红灯（超期）</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="308"/>
        <source>Yellow (warning)</source>
        <translation>黄灯（预警）</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="309"/>
        <source>Unacknowledged alerts</source>
        <translation>未确认提醒</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="310"/>
        <source>Reported today</source>
        <translation>今日上报</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="311"/>
        <source>Closed today</source>
        <translation>今日结案</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="321"/>
        <source>Reported today, by source</source>
        <translation>今日上报来源</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="325"/>
        <source>Last 7 days: reported / closed</source>
        <translation>近 7 日：上报 / 结案</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="332"/>
        <source>Streets: open, overdue, closed this month</source>
        <translation>各街道：在办、超期、本月结案</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="339"/>
        <source>On time this month</source>
        <translation>本月按期结案率</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="343"/>
        <source>handled by the deadline</source>
        <translation>按期处置</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="420"/>
        <source>Refresh failed (%1 times), next attempt in %2 s: %3</source>
        <translation>刷新失败（%1 次），%2 秒后重试：%3</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="439"/>
        <location filename="../../console/views/wall.py" line="452"/>
        <source>Street</source>
        <translation>街道</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="440"/>
        <source>Open</source>
        <translation>在办</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="441"/>
        <location filename="../../console/views/wall.py" line="468"/>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="442"/>
        <source>Closed this month</source>
        <translation>本月结案</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="448"/>
        <source>%1 cases closed this month</source>
        <translation>本月结案 %1 件</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="452"/>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="452"/>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="452"/>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <location filename="../../console/views/wall.py" line="463"/>
        <source>Data updated at %1</source>
        <translation>数据更新于 %1</translation>
    </message>
    <message>
        <location filename="../../console/views/wall_app.py" line="85"/>
        <source>Grid management</source>
        <translation>网格化管理</translation>
    </message>
</context>
</TS>
