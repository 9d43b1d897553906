"""What bot/texts.py says, in Simplified Chinese (zh-CN): the same names, the same placeholders.

Written for patients and their families, often frightened, in the words they use with their
doctors (血小板, 化疗, 放疗, 出血倾向): plain, polite (您), one idea a sentence. Button payloads
are the English ones: they are commands, not words. tests/unit/test_i18n.py fails when a name of
bot/texts.py has no wording here, or when the placeholders differ.
"""

_WELCOME_REST = (
    "接下来我会一次问一个和健康有关的问题。您的回答只保存在这次对话中，用来和入选标准逐条核对；"
    "您随时可以说“删除我的回答”。这不是医疗建议，能否参加研究，只有研究团队才能确定。\n"
    "我们开始吗？")
WELCOME = (
    "您好，我是临床试验筛查助手。我可以逐条帮您核对，您（或您照顾的家人）是否有可能参加"
    "{trial_title}（{trial_id}）。\n" + _WELCOME_REST
)
WELCOME_MATCHING = (
    "您好，我是临床试验筛查助手。我可以帮您看看，在{count}项临床试验{near}中，您（或您照顾的家人）可能适合参加哪些；"
    "我会先问最能缩小范围的问题。\n" + _WELCOME_REST)
CONSENT_BUTTONS = ({"title": "好的，开始吧", "payload": "/affirm"}, {"title": "不用了，谢谢", "payload": "/deny"})
CONSENT_DECLINED = (
    "没关系，我不会询问或保存任何健康信息。您可以在这里了解这项试验：{url}。"
    "如果您改变主意，随时说“开始”就可以。"
)
CONSENT_GIVEN = "谢谢您。您可以用自己的话回答；不清楚的时候，说“不知道”也完全可以。"
NOTED = "已记下：{facts}。"
UPDATED = "已更新{label}：{old} → {new}。"
CHECK_VALUE = (
    "{label}为{value}，超出了通常的范围（{low}到{high}{unit}）。"
    "麻烦您再核对一下这个数字，重新告诉我好吗？"
)
MIXED_ANSWER = "关于{label}，您的话里既有“是”也有“不是”，所以我两个都没有记下。"
SEVERAL_CHOICES = "您的话里提到了不止一种{label}（{choices}），所以我没有记下。"
NOT_A_VALUE = "“{words}”不能作为{label}，所以我没有记下。您能用{unit}为单位再告诉我这个数字吗？"
BELOW_ZERO = "“{words}”作为{label}不可能小于零，所以我没有记下。"
NOT_A_DATE = "“{words}”不能作为{label}的日期，所以我没有记下。是什么时候呢？（例如“六周前”或“10月3日”）"
FUTURE_DATE = "这个日期好像还没到。最近一次是什么时候？（例如“六周前”）"
CLOSER_DATE = (
    "目前我记下的{label}时间是{when}，但有一条入选标准需要更准确的日期。"
    "您能告诉我具体哪一天，或者大约是几周、几个月以前吗？"
)
CONFLICT = (
    "这和您之前告诉我的不太一致：{earlier}。我先保留了之前的回答。"
    "如果之前的回答有误，直接告诉我正确的就好（例如“其实……”）。"
)
FOREIGN_ORIGIN = "这个聊天只能在医院自己的网页上使用。"
NOT_ANSWERED = "抱歉，我这边出了点问题，没能回答这条消息。您之前告诉我的内容都还保留着，请稍后再发一次。"
TOO_LONG = "这条消息对我来说太长了（{length}个字符）。请发一条短一些的回答，不超过{limit}个字符。"
EMPTY = "我没有收到任何文字。不着急，我把问题再发一遍。"
NOT_UNDERSTOOD = {
    "yes_no": "抱歉，我没太明白。您能回答“是”、“不是”或者“不知道”吗？",
    "number": "抱歉，我没有找到数字。您能只告诉我这个数字吗{unit_hint}？",
    "date": "抱歉，我没能看出是什么时间。您可以说，例如“六周前”或“10月3日”。",
    "choice": "抱歉，我没明白。您能从下面的选项中选一个吗？",
    "text": "抱歉，我没明白。您能换个说法吗？",
}
SKIPPING = "我还是不太确定自己理解对了，这个问题我们先记为“不清楚”；之后您随时可以再告诉我。"
NOTHING_PENDING = "抱歉，我没明白。您可以告诉我您的健康情况，或者使用下面的选项。"
AFTER_VERDICT = (
    "这项试验相关的问题我们已经都问过了。您可以更正任何一个回答（例如“其实我的血小板是25”），"
    "可以问我都记下了什么，也可以重新开始。"
)
HELP_BUTTONS = (
    {"title": "继续筛查", "payload": "/affirm"},
    {"title": "你都记下了什么？", "payload": "/show_facts"},
    {"title": "重新开始", "payload": "/start_over"},
)
WHY = "我问这个，是因为这项试验有这样一条标准：“{text}”\n{why}"
WHY_NOTHING = "我提的每个问题，都只是为了逐条核对这项试验的入选标准。每个回答都有助于判断这项试验是否适合您。"
OFFER_MORE = "您愿意把剩下的问题也回答完吗？这样可以了解完整的情况。"
MORE_DECLINED = "好的。如果您对这项试验有疑问，最好问问您的主治医生。"
NO_FACTS = "您还没有告诉我任何健康方面的情况。"
FACTS_HEADER = "到目前为止，您告诉我的情况如下："
DELETED = "我已经删除了您在这次对话中的回答。如果您想重新开始，说“开始”就可以。"
STARTING_OVER = "我们重新开始吧。您之前的回答已经清除了。"
UNKNOWN_TRIAL = "我没有{trial_id}的信息。我可以核对的试验有：{trials}。"

VERDICT_HEADLINE = {
    "likely_eligible": "根据您告诉我的情况，{subject_you}很可能符合{trial}的参加条件。",
    "not_eligible": "根据您告诉我的情况，{subject_you}不符合{trial}的参加条件。",
    "uncertain": "目前我还无法判断{subject_you}是否符合{trial}的参加条件。",
}
VERDICT_REASONS = {
    "likely_eligible": "您能回答的每一条标准都符合，包括：",
    "not_eligible": "原因是：",
    "uncertain": "还不清楚的是：",
}
VERDICT_TO_CONFIRM = "需要和您的医生确认的："
VERDICT_AT_SCREENING = "需要在筛选访视时由研究团队确认的："
VERDICT_HOW_TO_JOIN = "如何参加：{contact}\n地点：{where}\n更多信息：{url}"
NOT_ADVICE = "这不是医疗建议；能否参加，只有研究团队才能确认。"

RESULTS_BUTTON = {"title": "查看我的结果", "payload": "/show_verdict"}
MATCH_HEADER = "以下是您与我核对过的{count}项试验的匹配情况，最合适的在前："
MATCH_LINE = "{number}. {trial_id}：{title} - {status}：{reason}。"
STATUS_NAMES = {"likely_eligible": "很可能符合", "uncertain": "暂时无法判断", "not_eligible": "不符合"}
MATCH_RULED_OUT = "有{count}项试验不符合："
MATCH_RULED_OUT_GROUP = "- {count}项，原因是{reason}（例如{trial_ids}）"
MATCH_RULED_OUT_OTHERS = "- {count}项，因为其他原因"
QUESTION_OPEN = "还有{count}个问题待回答"
QUESTIONS_OPEN = "还有{count}个问题待回答"
ALL_MET = "您能回答的每一条标准都符合"
TO_CONFIRM_WITH_DOCTORS = "；{count}条需要和医生确认"
MATCH_NOT_RECRUITING = "目录中有{count}项试验目前不招募新患者，所以我没有核对它们。"
MATCH_MORE = "说出试验编号（例如“详细介绍一下NCT05236582”），就可以看到每一条标准的解释。"

UNREADABLE = "抱歉，我没能把这句话理解成一个回答。您能换个说法，或者使用下面的按钮吗？"
UNREADABLE_BUTTONS = ({"title": "是", "payload": "/affirm"}, {"title": "不是", "payload": "/deny"},
                      {"title": "不知道", "payload": "/dont_know"})
SMALL_TALK = {
    "thanks": "不客气。",
    "goodbye": "再见，请多保重。您的回答只保存在这次对话中；如果想删除，请说“删除我的回答”。",
    "bot_challenge": "我是一个自动助手，不是真人。我只负责核对试验标准；能否参加，只有研究团队和您的医生才能确认。",
}
CHECK_BACK = "我想确认一下{about}，我的理解是：{reading}。对吗？"
CHECK_BACK_BUTTONS = ({"title": "对，没错", "payload": "/affirm"}, {"title": "不对", "payload": "/deny"})
CHECK_BACK_DECLINED = "好的，这一条我没有记下。"
WHICH_DATE = "想确认一下日期：您指的是{options}？"
FOLLOW_UP_BOUND = "您说的是“{words}”。这项研究需要确切的{label}。"
FOLLOW_UP_SEVERAL = "您的话里提到了不止一个{label}（{values}）。研究需要的是最近一次的结果，而不是刚输完血小板后的结果。"
HELD_FACTS = "开始之前您告诉过我一些情况，我现在把它们记下了："
SINGLE_SITE = "请注意：{where}"
ONLY_IN_ENGLISH = "（这项试验的详细信息，以及它特有的一些问题，目前只有英文版本，按试验登记的英文原文显示。）"
SOME_ONLY_IN_ENGLISH = "（其中有些试验的详细信息目前只有英文版本，按试验登记的英文原文显示。）"
ONE_PLACE = "这项研究只在{place}进行。"
SEVERAL_PLACES = "这项研究在以下地点进行：{places}。"
PLACE_UNKNOWN = "研究页面上还没有列出地点；研究团队可以告诉您。"
ABOUT_DRUG = "这项研究试验的药物是{drugs}。{summary}"
ABOUT_PLACE = "关于地点：{where}参加研究需要到研究所在的医院进行各次访视。"
ABOUT_NEXT = "接下来：先和您的医生商量，然后联系研究团队，他们会在筛选访视时逐条核对所有标准。\n{contact}"
ABOUT_HUMAN = ("我是自动助手，没办法直接为您转接真人，但我已经标记了这次对话，研究团队会跟进联系。\n{contact}")
READBACK = "在告诉您{about}结果之前，先核对一下起决定作用的信息：\n{lines}\n这些都对吗？"
READBACK_NONE_OF = "我问到的{count}种情况都没有"
READBACK_GROUP = {"yes": "有：{items}", "doctor_yes": "医生说有：{items}", "no": "没有：{items}"}
SENT_AGAIN = "您又发了一遍同样的话，所以我没有把它当作“是”或“不是”。请用下面的按钮回答，或者告诉我哪里理解错了。"
READBACK_BUTTONS = ({"title": "对，都正确", "payload": "/affirm"},
                    {"title": "有不对的地方", "payload": "/deny"})
READBACK_FIX = "没问题。请用您自己的话告诉我正确的情况（例如“我的血小板是25”）。"
READBACK_FIX_NOT_READ = "抱歉，我没看出您要改的是哪一条。请说出是哪一项和正确的情况，例如“血小板计数：25”；如果不清楚，可以说“血小板计数：不清楚”。"

YES_NO_BUTTONS = (
    {"title": "是", "payload": "/affirm"},
    {"title": "不是", "payload": "/deny"},
    {"title": "不知道", "payload": "/dont_know"},
)
BUNDLE_YOU = "您有以下任何一种情况吗？\n{items}"
BUNDLE_OTHER = "{subject}有以下任何一种情况吗？\n{items}"
BUNDLE_DOCTOR_YOU = "医生有没有说过您有以下任何一种情况？如果不知道，也没关系。\n{items}"
BUNDLE_DOCTOR_OTHER = "医生有没有说过{subject}有以下任何一种情况？如果不知道，也没关系。\n{items}"
LIST_ITEM = "- {item}"
FACT_LINE = "{label}：{value}"
LIST_SEPARATOR = "；"
OR = "还是"
AND_MORE = "等"
A_MEDICINE = "一种药物"
UNIT_HINT = "（单位：{unit}）"
YOU_ARE = "您"
SUBJECT_IS = "{subject}"
ABOUT_SUBJECT = "关于{subject}的情况"
FOR_SUBJECT = "{subject}的"

VALUE_NOT_KNOWN = "不清楚"
VALUE_YES = "是"
VALUE_NO = "否"
VALUE_NEVER = "从来没有"
ON_OR_AROUND = "{day}左右"
ON_OR_BEFORE = "{day}或更早"
IN_PERIOD = "{period}"
BETWEEN = "{first}至{last}之间"
PLATELET_VALUE = "{number}×10⁹/L（即每微升{per_microlitre}个）"
VALUE_WITH_UNIT = "{number}{unit}"
UNIT_NAMES = {"years": "岁", "ms": "毫秒", "10^9/L": "×10⁹/L"}
TRIAL_NAME = "{title}（{trial_id}）"
CRITERION_TEXT = "（试验标准原文：“{text}”）"

LANGUAGE_SWITCHED = "好的，我们用中文继续。"
SUBJECTS = {
    "your mother": "您的母亲", "your mum": "您的母亲", "your mom": "您的母亲",
    "your father": "您的父亲", "your dad": "您的父亲",
    "your husband": "您的丈夫", "your wife": "您的妻子", "your partner": "您的伴侣",
    "your son": "您的儿子", "your daughter": "您的女儿",
    "your brother": "您的兄弟", "your sister": "您的姐妹",
    "your grandmother": "您的祖母", "your grandma": "您的祖母",
    "your grandfather": "您的祖父", "your grandpa": "您的祖父",
    "your aunt": "您的阿姨", "your uncle": "您的叔叔",
    "your friend": "您的朋友", "your patient": "您的病人",
}

ASK_PLACE = ("首先，您住在哪里，或者能去哪里参加研究的访视？说一个城市或国家就可以（例如“天津附近”），"
             "也可以说“哪里都可以”。")
PLACE_BUTTONS = ({"title": "哪里都可以", "payload": "anywhere"},)
NEAR_PLACE = "（在{place}或附近有研究点）"
PLACE_NARROWED = "我会核对在{places}或附近有研究点的{count}项试验。"
PLACE_NONE_NEAR = "在{places}或附近，我没有找到正在招募新患者的试验{nearest}。我会核对全部{count}项，不论地点。"
PLACE_NEAREST = "（最近的研究点：{sites}）"
PLACE_ANYWHERE = "好的，我会核对所有地点的试验。"
PLACE_NOT_READ = "抱歉，我没有从中认出地点。"
PLACE_LEFT_OPEN = "我还是没有找到地点，所以我会核对所有地点的试验。"
