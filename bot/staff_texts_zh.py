"""What bot/staff_texts.py says, in Simplified Chinese (zh-CN): the same names, the same placeholders.

Written for the doctors, nurses and research coordinators of a Chinese clinic, as they write to each
other: terse, third person (患者), with the abbreviations they use (PLT, CIT, rhTPO, QTc). The trial's
own criterion text stays as registered; its Chinese explanation is the trial data's (``zh-CN: why``).
tests/staff/test_staff_language.py fails when a name has no wording here, or the placeholders differ.
"""
from bot.evaluation import Status, Verdict

SUBJECT = "the patient"  # a slot value (State.subject), not shown: the same in every language
HELP = (
    "员工筛查：{trial}。请在一条消息里发送患者的已知情况，例如"
    "“女62 肺癌 PLT 22 化疗后6周 特比澳无效 无出血倾向”。每条回复是一份逐条标准的核对清单"
    "（✅ 符合或排除标准不适用 · ❌ 不符合或被排除 · ❓ 未知 · 🩺 待确认）以及仍缺少的信息。\n"
    "命令：“新病人”（从头开始）· “screen NCT…”（换一项试验）· “缺什么” · “汇总” · "
    "“试验”（为该患者排列所有试验）。\n"
    "仅为筛查辅助；是否入选由研究团队确认。"
)
NEW_PATIENT = "新病人，{trial}：尚无记录。请发送患者的已知情况。"
CLEARED = "已清除该患者的全部信息。"
READ = "已读取：{facts}。"
FACT = "{label}：{value}"
LIST = "；"
UPDATED = "已更新{label}：{old} → {new}。"
CONFLICT = "未记录：{label}：{value}，与{earlier}矛盾（保留原记录）。如原记录有误，请更正。"
NOT_READ = "未读取：“{words}”。"
NOT_READ_SUGGEST = "未读取：“{words}”（是否指：{labels}？）。"
NOT_READ_WHICH_TREATMENT = "未记录：“{words}”没有说明是哪种治疗（最近一次化疗？最近一次放疗？）。"
NOTHING_READ = "这条消息里没有可用于筛查的信息。"
NOT_RECORDED_BOUND = "未记录：{label}“{words}”是一个范围，请发送具体数值。"
NOT_RECORDED_SEVERAL = "未记录：{label}有多个数值（{values}），请发送应采用的那一个。"
NOT_RECORDED_DATE = "未记录：{label}：{first}还是{second}？请写明年月日（如11月5日）。"
PARTLY_DENIED = "未记录：{label}：只否认了{words}，其余仍未知。"
QUERIED = "未记录：{label}：“{words}”为疑似或结果未出；确认后请发送。"
CYCLE_DAY = "未记录：最近一次化疗：“{words}”是从该周期第1天算起；请发送最后一次用药的日期。"
ONGOING = "未记录：{label}：仍在治疗中；请发送最后一次用药的日期。"
PLANNED = "未记录：{label}：“{words}”是计划中或推迟的治疗，并非已给药；请发送最后一次用药的日期。"
RESOLVED = "未记录：{label}：“{words}”已说明好转；是否仍然存在需要确认。"
UNSURE = "未记录：{label}：“{words}”不足以确定；需要确认。"
DISPUTED = "未记录：{label}：“{words}”，与患者本人的否认不一致；需要确认。"
EARLIER = "未记录：{label}：“{words}”的时间是{year}年；现在是否仍然存在需要确认。"
PAST = "未记录：{label}：“{words}”发生在{when}；现在是否仍然存在需要确认。"
TRANSFUSED = "未记录：{label}：该计数与输注血小板相关（“{words}”）；请发送应采用的计数及其日期。"
FOR_THE_TEAM = "未记录：{label}：“{words}”需由研究团队判断；请发送“是”或“否”。"
OR = "或"
UNKNOWN_TRIAL = "数据库中没有试验{trial_id}；可选：{trials}。"
AND_MORE = "等"
DRAFT_MARK = "草稿，未发布：不对患者开放筛查"
TRIAL_NAME = "{trial_id}（{title}）"
TRIAL_NAME_DRAFT = "{trial_id}（{title}，{draft}）"
HEADLINES = {
    Verdict.NOT_ELIGIBLE.value: "❌ 不符合：{reasons}。",
    Verdict.UNCERTAIN.value: "❓ 暂无法判断：{count}条标准因缺少患者信息而未定。",
    Verdict.LIKELY_ELIGIBLE.value: "✅ 可能符合，待确认其余事项。",
}
NOT_MET_REASON = "{numbers}不符合"
EXCLUDED_REASON = "被{numbers}排除"
EXCLUSION_WORDS = {Status.MET.value: "不适用", Status.NOT_MET.value: "排除"}
COUNTS = "✅ 符合{met} · ❌ 不符合{not_met} · ❓ 未知{unknown} · 🩺 待确认{to_confirm}"
CLOSER_DATE = "比{period}更确切的日期"
IMPLIED = "（推断）"
EXCLUSION_HEAD = "{icon} {number} {words}："
NEED = "需要：{facts}"
CLINICAL = "（临床）"
CLINICAL_NEED = "临床：{facts}"
STUDY_TEAM_AT_SCREENING = "研究团队筛选时确认"
MISSING_HEADER = "{trial}仍缺少（按决定作用排序）："
NOTHING_MISSING = "没有缺少的信息：再多的信息也不会改变{trial}的核对清单。"
SUMMARY_HEADER = "患者汇总，{trial}："
NO_FACTS = "该患者尚无记录。"
FOOTER = "仅为筛查辅助；是否入选由研究团队确认。"
TRIALS_HEADER = "该患者的试验：{total}项中{fitting}项可能适合（{likely}项可能符合，{uncertain}项暂无法判断）。"
TRIALS_NO_FACTS = "尚无记录：所有试验都未排除。发送已知情况以缩小范围。"
TRIAL_LINE = "{number}. {icon} {trial_id} · {title} — {reason}"
TRIAL_LIKELY = "患者相关标准均符合"
TRIAL_CONFIRM = "；{count}项待确认"
TRIAL_OPEN = "未知：{labels}"
TRIALS_MORE = "……另有{count}项可能适合。"
TRIALS_RULED_OUT = "❌ 排除{count}项，最常见原因：{reasons}。"
TRIALS_RULED_OUT_REASON = "“{text}”（{count}）"
TRIALS_NEXT = "各试验中下一步最关键：{labels}。"
FACTS_NOT_WITH_FILTER = "未作为患者信息记录：用于筛选试验的疾病或地点消息只按筛选条件读取。请单独发送患者情况。"
TRIALS_FOOTER = "发送“screen NCT…”查看单项试验的核对清单。"

VALUE_WHEN = "{value}（{when}）"
AGO = "{when}前"
DAYS, WEEKS, MONTHS = "{n}天", "{n}周", "{n}个月"
AT_LEAST_AGO = "≥{newest}"
OR_EARLIER = "{day}或更早"
FROM_TO = "{first}至{last}"
NEVER = "从未"
COMPACT_UNITS = {"years": "{number}岁"}

DECIDES_MOST = "最关键：{labels}。"
SETTLED = "✅ 符合{met}{numbers} · ❓ 未知{unknown} · 🩺 待确认{to_confirm}"
NUMBERS = "（{numbers}）"
OPEN = {"patient": "❓ 患者：{labels}。", "clinician": "🩺 临床医生：{labels}。",
        "study_team": "🩺 研究团队：{labels}。"}
WHO = {"clinician": "临床医生", "study_team": "研究团队"}
AT_SCREENING = "{numbers}筛选时确认"
LABEL_NEED = "{label}（{need}）"
STAFF_LABELS = {
    "cancer_type": "肿瘤类型",
    "chemo_induced_thrombocytopenia": "CIT",
    "platelet_boosters_failed": "rhTPO/IL-11无效",
    "last_chemotherapy": "末次化疗",
    "last_radiotherapy": "末次放疗",
    "platelet_count": "PLT",
    "bleeding_tendency": "出血倾向",
    "survival_six_months": "预期生存≥6个月",
    "willing_to_consent": "知情同意及随访",
    "liver_kidney_ok": "肝肾功能<1.5×ULN",
    "childbearing_potential": "有生育可能",
    "uses_contraception": "避孕",
    "uncontrolled_organ_disease": "未控制的器官疾病",
    "infection_serology_positive": "HIV/HBV/HCV/HDV/梅毒曾阳性",
    "ebv_cmv_dna_positive": "EBV/CMV DNA阳性",
    "severe_bleeding": "严重出血",
    "heart_disease_treated": "需治疗的心脏病",
    "uncontrolled_hypertension": "未控制的高血压",
    "thrombotic_disease": "血栓/动脉粥样硬化",
    "transplant": "异基因移植/器官移植",
    "mental_disorder_limits_consent": "影响知情同意的精神疾病",
    "treatment_toxicity_unresolved": "未恢复的治疗毒性",
    "diabetes": "糖尿病",
    "heart_failure_severe": "心衰NYHA III–IV",
    "heart_attack_or_angina_recent": "6个月内MI/UA/CAD",
    "arrhythmia": "房颤/房扑或需治疗的心律失常",
    "stomach_ulcer": "消化性溃疡",
    "autoimmune_disease": "活动性自身免疫病",
    "other_abnormal_bleeding": "其他原因出血",
    "antiplatelet_drugs": "抗血小板药",
    "pregnant": "妊娠",
    "breastfeeding": "哺乳",
    "qtc_ms": "QTc",
    "bundle_branch_block": "束支传导阻滞",
}
