"""What SMEs and platforms write to each other in the demo: intended uses,
answers to a platform's question, messages in application threads, decline
notes and invitations. Written for this demo; pairs are (Chinese, English).

Templates are filled with ``str.format`` from the context ``exchanges``
builds for each application; the names in braces are listed there.
"""

from accounts.choices import PLATFORM, SME, Industry
from marketplace.choices import ApplicationStatus, CapabilityKind, DeclineReason

K, D = CapabilityKind, DeclineReason

MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# --- applying -------------------------------------------------------------------

# Where an SME of each industry tries something first.
SCOPES = {
    Industry.MANUFACTURING: ("一条产线", "one production line"),
    Industry.TRADE: ("两家门店和网店", "two shops and the online store"),
    Industry.LOGISTICS: ("一个仓库和两条线路", "one warehouse and two routes"),
    Industry.AGRICULTURE: ("一个种植基地", "one of our farms"),
    Industry.HOSPITALITY: ("一家门店", "one restaurant"),
    Industry.HEALTH: ("一家诊所", "one clinic"),
    Industry.EDUCATION: ("一个校区", "one campus"),
    Industry.FINANCE: ("一个业务团队", "one team"),
    Industry.CONSTRUCTION: ("一个在建项目", "one building site"),
}
DEFAULT_SCOPE = ("一个部门", "one department")
# Expected use, by kind of capability.
VOLUMES = {
    K.API: [("每月约 2 万次调用", "about 20,000 calls a month"), ("每月约 5,000 次调用", "about 5,000 calls a month"), ("每月约 8 万次调用", "about 80,000 calls a month")],
    K.COMPUTE: [("每月约 300 卡时", "about 300 GPU hours a month"), ("每月约 800 卡时", "about 800 GPU hours a month"), ("两台 GPU 服务器包月", "two GPU servers by the month")],
    K.DATA: [("一次性下载历史数据，之后每月更新", "one download of the history, then monthly updates"), ("每周更新一次", "weekly updates")],
    K.MODEL: [("每天约 2,000 张图片", "about 2,000 images a day"), ("每月约 3 万次调用", "about 30,000 calls a month"), ("每天几百条文本", "a few hundred texts a day")],
    K.TOOL: [("15 个账号", "15 user accounts"), ("8 个账号", "8 user accounts"), ("30 个账号", "30 user accounts")],
    K.EXPERTISE: [("一个为期六周的项目", "one six-week project"), ("四周的诊断和方案设计", "four weeks of assessment and design")],
}  # fmt: skip
# What an SME that applies without a posted need wants, by kind (noun phrases: "for ...").
PURPOSES = {
    K.API: ("系统对接、减少人工录入", "connecting our systems and cutting manual data entry"),
    K.COMPUTE: ("训练、仿真等大计算量任务", "heavy computing jobs such as training and simulation"),
    K.DATA: ("市场分析和采购决策", "market analysis and purchasing decisions"),
    K.MODEL: ("替代重复的人工判断", "automating repetitive judgement calls"),
    K.TOOL: ("把表格和纸质流程搬到线上", "moving spreadsheet and paper processes online"),
    K.EXPERTISE: ("梳理现状、制定数字化方案", "reviewing how we work and planning our digitalisation"),
}
INTENDED_USE_FOR_NEED = [
    (
        "{why_zh}。我们想用「{cap}」解决{use_zh}的问题：先在{scope_zh}试点 {weeks} 周，达到目标后推广到全公司。预计用量：{volume_zh}。",
        "{why_en}. We want to use “{cap}” for {use_en}: a {weeks}-week pilot in {scope_en} first, then the whole company if it meets our targets. Expected use: {volume_en}.",
    ),
    (
        "用于我们发布的需求「{need}」。{why_zh}，希望借助「{cap}」改善，计划 {month_zh} 月开始，先在{scope_zh}使用。",
        "For our need “{need}”. {why_en}, and we hope “{cap}” will fix that. We plan to start in {month_en}, first in {scope_en}.",
    ),
    (
        "我们是{city_zh}的{noun_zh}，主营{products_zh}。{why_zh}。想申请「{cap}」用于{use_zh}，预计用量：{volume_zh}。",
        "We are a {noun_en} in {city_en} ({products_en}). {why_en}. We would use “{cap}” for {use_en}; expected use: {volume_en}.",
    ),
]  # fmt: skip
# Without a need of theirs to point to, applicants say what drew them to the capability.
INTENDED_USE_WITHOUT_NEED = [
    (
        "我们是{city_zh}的{noun_zh}，主营{products_zh}。「{cap}」正是我们需要的：{what_zh}。预计用量：{volume_zh}。",
        "We are a {noun_en} in {city_en} ({products_en}), and “{cap}” is what we need: {what_en}. Expected use: {volume_en}.",
    ),
    (
        "看中「{cap}」：{what_zh}。想先在{scope_zh}试用 {weeks} 周，效果好再扩大范围。",
        "What drew us to “{cap}”: {what_en}. We would try it in {scope_en} for {weeks} weeks and use it more if it works.",
    ),
]  # fmt: skip
# The optional covering note to the platform.
APPLICATION_NOTES = [
    ("如需补充材料，请在消息里告诉我们。", "If you need more documents, tell us in the thread."),
    ("我们希望尽快开始，{month_zh} 月前能开通最好。", "We would like to start soon, ideally before {month_en}."),
    ("同行推荐了贵平台，期待合作。", "A firm in our line of business recommended you; we look forward to working together."),
    ("可以先小规模试用，效果好再签年度合同。", "We are happy to start small and sign for a year once it works."),
]  # fmt: skip
ERP_SYSTEMS = [
    ("金蝶云星空", "Kingdee Cloud Galaxy"),
    ("用友 U8", "Yonyou U8"),
    ("管家婆", "Guanjiapo"),
    ("畅捷通 T+", "Chanjet T+"),
    ("自己开发的进销存系统", "an in-house stock and sales system"),
]
METRICS = [
    ("人工工时减少一半", "manual hours cut by half"),
    ("差错率降到 1% 以下", "errors below 1%"),
    ("按时交付率达到 95%", "95% of orders on time"),
    ("每月节省 2 万元以上", "savings of over CNY 20,000 a month"),
]
# Answers to the questions capabilities may ask (vocabulary.QUESTIONS), in the same order.
ANSWERS = [
    (
        "场景：{use_zh}。预计用量：{volume_zh}，计划 {month_zh} 月上线，先在{scope_zh}试点。",
        "Use case: {use_en}. Expected use: {volume_en}; we plan to go live in {month_en}, starting in {scope_en}.",
    ),
    (
        "只在公司内部用于{use_zh}，不向第三方提供；数据保存 12 个月，到期删除。",
        "Only inside the company, for {use_en}; never passed on. We keep it for 12 months and then delete it.",
    ),
    ("目前使用{erp_zh}，其他业务数据还分散在表格里。", "We use {erp_en}; the rest of our data still lives in spreadsheets."),
    ("目标是{use_zh}，成功的标准是{metric_zh}。", "The goal is {use_en}; success for us means {metric_en}."),
]  # fmt: skip

# --- threads -------------------------------------------------------------------------

# (the SME asks, the platform answers), by kind of capability, then for any kind.
QUESTIONS_BY_KIND = {
    K.API: [
        (("免费额度用完以后怎么计费？高峰期 QPS 能到多少？", "How is usage billed once the free quota runs out, and what QPS can we get at peak?"),
         ("超出部分按调用量阶梯计费；默认 QPS 20，申请后可提升到 100。", "Usage above the quota is billed in tiers; the default limit is 20 QPS and can go up to 100 on request.")),
        (("接口返回 JSON 吗？我们的单据有扫描件，也有手机拍的照片。", "Does the API return JSON? Some of our documents are scans, some are phone photos."),
         ("返回 JSON。扫描件和手机照片都支持，建议分辨率不低于 300 dpi。", "Yes, JSON. Scans and phone photos both work; 300 dpi or better gives the best results.")),
        (("有没有沙箱环境可以先联调？", "Is there a sandbox we can integrate against first?"),
         ("有，审核期间就可以先开通沙箱账号，接口和正式环境一致。", "Yes, we can open a sandbox account while we review; it behaves like production.")),
    ],
    K.COMPUTE: [
        (("GPU 是什么型号？单卡显存多少？", "Which GPUs are these, and how much memory does each card have?"),
         ("目前有 A800 80G 和 L40S 48G 两种，可以按卡时或包月使用。", "A800 80 GB and L40S 48 GB cards, by the card-hour or by the month.")),
        (("我们的训练数据大约 {size} TB，除了走公网上传还有更快的方式吗？", "Our training data is about {size} TB. Is there a faster way to get it to you than uploading it?"),
         ("可以走专线，也可以寄硬盘过来，数据到达当天挂载。", "We can use a leased line, or you can ship disks; the data is mounted the day it arrives.")),
        (("高峰期需要排队吗？能保证资源吗？", "Are there queues at peak times? Can you guarantee capacity?"),
         ("包月资源独享，不排队；按量使用的任务在高峰期可能需要等待。", "Monthly resources are dedicated, so there is no queue; pay-as-you-go jobs may wait at peak times.")),
    ],
    K.DATA: [
        (("数据提供什么格式？字段能按我们的需要裁剪吗？", "What format is the data in? Can the fields be trimmed to what we need?"),
         ("提供 CSV 和 Parquet，也可以走 API；字段可以裁剪，附数据字典。", "CSV or Parquet, or through the API; fields can be trimmed, and a data dictionary comes with it.")),
        (("数据多久更新一次？历史数据能回溯到哪一年？", "How often is it updated, and how far back does the history go?"),
         ("每日更新，历史数据回溯到 2015 年。", "Daily; the history goes back to 2015.")),
        (("授权范围内，我们能把分析结果提供给客户吗？", "Does the licence let us share our analysis with our customers?"),
         ("可以提供分析结论和图表，但原始数据不得转交第三方。", "Conclusions and charts, yes; the raw data may not be passed on.")),
    ],
    K.MODEL: [
        (("能用我们自己的样本微调吗？大概需要多少标注样本？", "Can we fine-tune it on our own samples? How many labelled examples would it take?"),
         ("可以。一般每个类别几百条标注样本就能明显提升效果，标注工具我们提供。", "Yes. A few hundred labelled examples per category usually make a clear difference, and we provide the labelling tool.")),
        (("私有化部署对服务器有什么要求？", "What hardware does an on-premises deployment need?"),
         ("一台带 24G 显存 GPU 的服务器就够了，部署和调优由我们远程完成。", "One server with a 24 GB GPU is enough; we install and tune it remotely.")),
        (("准确率大概能到多少？有同行业的案例吗？", "What accuracy can we expect? Do you have cases in our industry?"),
         ("同类客户上线后准确率在 95% 左右，可以安排参观一家案例企业。", "Similar customers reach about 95% after go-live; we can arrange a visit to one of them.")),
    ],
    K.TOOL: [
        (("能和我们在用的{erp_zh}对接吗？", "Can it connect to {erp_en}, which we use today?"),
         ("有现成的连接器，一般一到两天就能完成对接。", "There is a ready-made connector; it usually takes a day or two.")),
        (("按人数收费吗？我们大约 {users} 个人会用。", "Is it priced per user? About {users} of us would use it."),
         ("按企业版收费，{users} 个账号以内不另外收费。", "It is priced per company; up to {users} accounts cost nothing extra.")),
        (("手机上能用吗？车间和仓库的同事没有电脑。", "Does it work on phones? Our people on the floor and in the warehouse have no computers."),
         ("支持手机和平板，也可以直接在企业微信和钉钉里打开。", "Yes, on phones and tablets, and inside WeCom and DingTalk.")),
    ],
    K.EXPERTISE: [
        (("顾问能到现场吗？我们在{city_zh}。", "Can your consultants come on site? We are in {city_en}."),
         ("可以，第一周安排两天现场调研，之后以远程为主。", "Yes: two days on site in the first week, then mostly remote.")),
        (("项目大概需要多久？需要我们安排哪些人配合？", "How long does the project take, and who do we need to involve?"),
         ("一般四到六周，需要一位业务负责人和一位 IT 同事配合。", "Usually four to six weeks, with one operations lead and one IT person from your side.")),
        (("能顺便帮我们申报政府的数字化补贴吗？", "Could you also help us apply for the government's digitalisation subsidy?"),
         ("可以协助准备申报材料，但能否获批要看主管部门。", "We can help prepare the application, but approval is up to the authorities.")),
    ],
}  # fmt: skip
QUESTIONS_ANY_KIND = [
    (("价格能按季度结算吗？我们是小企业，现金流比较紧。", "Could we pay quarterly? We are a small firm and cash flow is tight."),
     ("可以按季度结算，中小企业首个季度打九折。", "Quarterly is fine, and SMEs get 10% off the first quarter.")),
    (("我们希望 {month_zh} 月初上线，时间来得及吗？", "We would like to go live early in {month_en}. Is that realistic?"),
     ("来得及。审核通过后一般 3 个工作日内开通，技术对接大约一周。", "Yes. Access opens within three working days of approval, and the integration takes about a week.")),
    (("可以开增值税专用发票吗？", "Can you issue VAT special invoices?"),
     ("可以，按月开具，在控制台填写开票信息即可。", "Yes, monthly; enter your invoicing details in the console.")),
    (("能先试用两周，看看在我们的场景下效果如何吗？", "Could we try it for two weeks first to see how it works for us?"),
     ("可以开通 14 天试用，试用期间不计费。", "We can open a 14-day trial, free of charge.")),
    (("出了故障多久响应？有没有专人对接？", "If something breaks, how fast do you respond? Will we have a named contact?"),
     ("工作时间 30 分钟内响应，并会指定一位客户成功经理对接贵司。", "Within 30 minutes in working hours, and a customer success manager will be assigned to you.")),
    (("我们的数据存储在哪里？会被用来训练你们的模型吗？", "Where will our data be stored? Will it be used to train your models?"),
     ("数据存储在境内机房，只用于为贵司提供服务，不用于训练，可以写进合同。", "It stays in data centres in mainland China and is used only to serve you, never for training; we can put that in the contract.")),
]  # fmt: skip
# (the platform asks, the SME answers): platforms reviewing an application.
INFO_REQUESTS = [
    (("为了评估申请，请补充一下近三个月的月均业务量。", "To assess your application, could you tell us your average monthly volume over the last three months?"),
     ("近三个月平均每月约 {orders} 单，旺季会翻倍。", "About {orders} orders a month over the last three months; twice that in peak season.")),
    (("能否提供几份脱敏的样例数据？我们先评估一下效果。", "Could you send a few anonymised samples so we can check the results first?"),
     ("{samples} 份样例已发到您的工作邮箱，客户信息都已去掉。", "We have e-mailed you {samples} samples with customer details removed.")),
    (("请确认使用场景是否涉及个人信息。", "Please confirm whether your use involves personal information."),
     ("不涉及个人信息，只处理企业之间的单据和生产数据。", "No personal information: only business documents and production data.")),
    (("贵司有专职的 IT 人员负责对接吗？", "Do you have IT staff who will handle the integration?"),
     ("有一位兼职 IT，另外合作的软件公司也可以配合。", "One part-time IT person, and the software firm we work with can help.")),
    (("预计什么时候开始使用？我们据此安排资源。", "When do you expect to start? We plan capacity around it."),
     ("计划 {month_zh} 月开始，先在{scope_zh}试点。", "We plan to start in {month_en}, first in {scope_en}.")),
]  # fmt: skip
# The last two messages of a thread, by how the application ended and who led
# the thread (wrote first). The platform writes right after deciding; the SME
# withdraws right after saying so.
A = ApplicationStatus
CLOSINGS = {
    (A.ACCEPTED, SME): [
        (("我们这边准备好了，请问下一步怎么开通？", "We are ready on our side. What is the next step?"),
         ("申请已通过！账号和密钥已发到贵司管理员邮箱，对接群也建好了。", "Approved! Credentials have gone to your administrator's e-mail and we have set up a chat group for the integration.")),
        (("请问审核大概还需要几天？", "Roughly how many more days will the review take?"),
         ("刚刚已经通过了，接入文档和测试账号稍后发到您邮箱。", "It has just been approved; the integration guide and a test account are on their way to your inbox.")),
    ],
    (A.ACCEPTED, PLATFORM): [
        (("申请已通过，欢迎！接入文档和测试账号已发送，有问题随时在这里留言。", "Approved, welcome aboard! The integration guide and a test account are on their way; ask here any time."),
         ("太好了，谢谢！我们下周开始联调。", "Great, thank you! We will start integrating next week.")),
        (("已为贵司开通，首月按试点价格结算。", "You are all set up, at the pilot price for the first month."),
         ("收到，谢谢支持！", "Received, thanks for your support!")),
    ],
    (A.DECLINED, SME): [
        (("请问审核还需要多久？", "How much longer will the review take?"),
         ("抱歉让您久等。这次没能通过，原因写在申请页面上，欢迎条件成熟后再申请。", "Sorry for the wait. We could not approve it this time; the reason is on the application page, and you are welcome to apply again later.")),
    ],
    (A.DECLINED, PLATFORM): [
        (("很遗憾这次没能通过，原因见申请页面。如有疑问可以在这里继续沟通。", "We are sorry we could not approve it this time; the reason is on the application page. Ask here if anything is unclear."),
         ("明白了，谢谢说明。等我们条件成熟了再申请。", "Understood, thanks for explaining. We will apply again when we are ready.")),
        (("这次先不通过，原因已写在申请页面，建议看看我们的其他方案。", "We are not approving it this time (the reason is on the application page); some of our other offers may suit you better."),
         ("好的，我们看看其他方案。", "All right, we will look at the other offers.")),
    ],
    (A.WITHDRAWN, SME): [
        (("经内部评估，我们决定暂缓这个项目，先撤回申请。谢谢你们的耐心解答。", "After an internal review we are putting the project on hold, so we are withdrawing the application. Thank you for your patient answers."),
         ("理解，欢迎随时再来申请。", "Understood; you are welcome to apply again any time.")),
        (("我们已经找到了更合适的方案，先撤回申请，抱歉打扰了。", "We have found a solution that suits us better, so we are withdrawing. Sorry for the trouble."),
         ("没关系，祝项目顺利！", "No problem, good luck with the project!")),
    ],
    (A.WITHDRAWN, PLATFORM): [
        (("请问贵司还在推进这个项目吗？", "Is your project still going ahead?"),
         ("预算要到下个季度才能批下来，我们先撤回，到时候再申请。", "Our budget will not be approved until next quarter, so we are withdrawing for now and will apply again then.")),
    ],
}  # fmt: skip
# An SME chasing a platform that never answers (before the application expires).
NUDGES = [
    ("您好，请问申请审核进度如何？", "Hello, is there any news on our application?"),
    (
        "想确认一下申请是否收到，需要补充材料吗？",
        "Just checking that you received our application. Do you need anything else from us?",
    ),
]

# --- declines and invitations -------------------------------------------------------

DECLINE_NOTES = {
    D.NOT_ELIGIBLE: [
        ("本期仅面向{industries_zh}企业开放。", "This round is open to {industries_en} firms only."),
        ("这项能力要求企业通过网络安全等级保护二级以上测评。", "This capability requires MLPS level 2 certification or above."),
    ],
    D.CAPACITY_FULL: [
        ("本季度资源已满，下季度会释放新的名额，届时欢迎再申请。", "Capacity is full this quarter; more frees up next quarter, so please apply again then."),
        ("试点名额已满，已把贵司列入候补名单。", "The pilot is full; we have put you on the waiting list."),
    ],
    D.USE_CASE_UNCLEAR: [
        ("请补充具体场景和预计用量后重新申请。", "Please apply again with your concrete use case and expected volume."),
        ("无法判断用途是否在授权范围内，请说明最终用途。", "We could not tell whether your use fits the licence; please say what it is finally used for."),
    ],
    D.OUT_OF_SCOPE: [
        ("贵司的需求更接近定制开发，超出了这项能力的范围，建议看看我们的专家服务。", "What you need is closer to custom development than to this capability; our expert services may fit better."),
        ("这项能力目前不支持贵司的业务场景。", "This capability does not cover your use case yet."),
    ],
    D.PRICING: [
        ("贵司预算低于这项服务的起步价，建议先用免费额度版本。", "Your budget is below the starting price of this service; the free-quota edition may be a better start."),
        ("无法按贵司提出的价格提供，可以了解一下按量计费方案。", "We cannot offer the price you proposed; our pay-as-you-go plan may work."),
    ],
    D.OTHER: [
        ("这项能力正在升级到新版本，暂停受理新申请，预计下月恢复。", "This capability is being upgraded and takes no new applications until next month."),
        ("贵司已有一个同类账号在使用，请联系客户经理合并。", "Your firm already has an account for this; please ask your account manager to merge them."),
    ],
}  # fmt: skip
REGION_NOT_SERVED = ("贵司所在地区暂未开通服务，开通后会第一时间通知。", "We do not serve your region yet; we will tell you as soon as we do.")  # fmt: skip
BUDGET_BELOW_PRICE = (
    "贵司预算每月最多 {budget} 元，这项服务的起步价是每月 {price} 元。",
    "Your budget is at most CNY {budget} a month; this service starts at CNY {price} a month.",
)
# The first two say the capability suits the need: for good fits only.
INVITATIONS = [
    ("您好！看到贵司发布的「{need}」，我们的「{cap}」应该能帮上忙。{perk_zh}，欢迎申请。", "Hello! We saw your need “{need}”, and our “{cap}” should help. {perk_en}; we would be glad to see your application."),
    ("「{need}」正是「{cap}」擅长的场景，{city_zh}已有同行在用。{perk_zh}。", "“{need}” is just what “{cap}” is good at, and firms in {city_en} already use it. {perk_en}."),
    ("{platform_zh}邀请贵司试用「{cap}」。{perk_zh}，有问题可以在申请后直接留言。", "{platform_en} invites you to try “{cap}”. {perk_en}; once you apply, ask us anything in the thread."),
]  # fmt: skip
PERKS = [
    ("首月免费试用", "The first month is free"),
    ("可以安排工程师上门协助对接", "An engineer can come on site to help set it up"),
    ("中小企业可享试点价格", "SMEs get a pilot price"),
    ("审核通过后三个工作日内开通", "Access opens within three working days of approval"),
]
