"""The words of the demo marketplace: places, people, sectors, what platforms
open and what SMEs need, and the phrases listings are built from.

Written for this demo; every firm is fictional. Pairs are (Chinese, English).
An *offering* is something a platform opens, a *problem* is something an SME
wants solved; ``plan`` turns them into titles, summaries and descriptions.
"""

from dataclasses import dataclass

from accounts.choices import Industry, Province, SizeBand
from marketplace.choices import AccessModel, CapabilityKind, DataClassification
from marketplace.models import Capability, Need
from marketplace.models.tags import normalize_tag

ZH, EN, MIXED = "zh", "en", "mixed"  # language of a text: Chinese, English, or both

# --- places and people --------------------------------------------------------

# Province → (first two digits of the GB/T 2260 division code, cities as (Chinese, English)).
# Taiwan, Hong Kong and Macao firms have no mainland credit code, so no demo firm is placed there.
PLACES = {
    Province.BEIJING: ("11", [("北京", "Beijing")]),
    Province.TIANJIN: ("12", [("天津", "Tianjin")]),
    Province.HEBEI: ("13", [("石家庄", "Shijiazhuang"), ("保定", "Baoding"), ("唐山", "Tangshan")]),
    Province.SHANXI: ("14", [("太原", "Taiyuan"), ("大同", "Datong")]),
    Province.INNER_MONGOLIA: ("15", [("呼和浩特", "Hohhot"), ("包头", "Baotou")]),
    Province.LIAONING: ("21", [("沈阳", "Shenyang"), ("大连", "Dalian")]),
    Province.JILIN: ("22", [("长春", "Changchun"), ("吉林", "Jilin")]),
    Province.HEILONGJIANG: ("23", [("哈尔滨", "Harbin"), ("大庆", "Daqing")]),
    Province.SHANGHAI: ("31", [("上海", "Shanghai")]),
    Province.JIANGSU: ("32", [("苏州", "Suzhou"), ("无锡", "Wuxi"), ("南京", "Nanjing"), ("常州", "Changzhou")]),
    Province.ZHEJIANG: ("33", [("杭州", "Hangzhou"), ("宁波", "Ningbo"), ("温州", "Wenzhou"), ("义乌", "Yiwu")]),
    Province.ANHUI: ("34", [("合肥", "Hefei"), ("芜湖", "Wuhu")]),
    Province.FUJIAN: ("35", [("厦门", "Xiamen"), ("泉州", "Quanzhou"), ("福州", "Fuzhou")]),
    Province.JIANGXI: ("36", [("南昌", "Nanchang"), ("赣州", "Ganzhou")]),
    Province.SHANDONG: ("37", [("青岛", "Qingdao"), ("济南", "Jinan"), ("潍坊", "Weifang"), ("临沂", "Linyi")]),
    Province.HENAN: ("41", [("郑州", "Zhengzhou"), ("洛阳", "Luoyang")]),
    Province.HUBEI: ("42", [("武汉", "Wuhan"), ("襄阳", "Xiangyang")]),
    Province.HUNAN: ("43", [("长沙", "Changsha"), ("株洲", "Zhuzhou")]),
    Province.GUANGDONG: ("44", [("深圳", "Shenzhen"), ("广州", "Guangzhou"), ("东莞", "Dongguan"), ("佛山", "Foshan")]),
    Province.GUANGXI: ("45", [("南宁", "Nanning"), ("柳州", "Liuzhou")]),
    Province.HAINAN: ("46", [("海口", "Haikou"), ("三亚", "Sanya")]),
    Province.CHONGQING: ("50", [("重庆", "Chongqing")]),
    Province.SICHUAN: ("51", [("成都", "Chengdu"), ("绵阳", "Mianyang")]),
    Province.GUIZHOU: ("52", [("贵阳", "Guiyang"), ("遵义", "Zunyi")]),
    Province.YUNNAN: ("53", [("昆明", "Kunming"), ("普洱", "Pu'er")]),
    Province.XIZANG: ("54", [("拉萨", "Lhasa")]),
    Province.SHAANXI: ("61", [("西安", "Xi'an"), ("宝鸡", "Baoji")]),
    Province.GANSU: ("62", [("兰州", "Lanzhou"), ("天水", "Tianshui")]),
    Province.QINGHAI: ("63", [("西宁", "Xining")]),
    Province.NINGXIA: ("64", [("银川", "Yinchuan")]),
    Province.XINJIANG: ("65", [("乌鲁木齐", "Urumqi"), ("喀什", "Kashgar")]),
}
MAINLAND = list(PLACES)
# City (in either language) → its province: a firm's city is always one of its province's.
PROVINCE_OF_CITY = {name: province for province, (_code, cities) in PLACES.items() for city in cities for name in city}

SURNAMES = [
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("黄", "Huang"),
    ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"),
    ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"), ("罗", "Luo"), ("高", "Gao"), ("郑", "Zheng"),
    ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"), ("唐", "Tang"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"),
]  # fmt: skip
GIVEN_NAMES = [
    ("静", "Jing"), ("伟", "Wei"), ("芳", "Fang"), ("磊", "Lei"), ("敏", "Min"), ("浩", "Hao"), ("婷", "Ting"),
    ("强", "Qiang"), ("丽华", "Lihua"), ("洋", "Yang"), ("杰", "Jie"), ("雪", "Xue"), ("雨萱", "Yuxuan"),
    ("子涵", "Zihan"), ("思远", "Siyuan"), ("建国", "Jianguo"), ("海燕", "Haiyan"), ("志强", "Zhiqiang"),
    ("晓明", "Xiaoming"), ("佳怡", "Jiayi"), ("俊杰", "Junjie"), ("文博", "Wenbo"), ("欣怡", "Xinyi"), ("凯", "Kai"),
]  # fmt: skip
# Trade names of the fictional SMEs, (Chinese, pinyin). Each is used once.
BRANDS = [
    ("恒锐", "Hengrui"), ("启航", "Qihang"), ("瑞丰", "Ruifeng"), ("鑫达", "Xinda"), ("华拓", "Huatuo"),
    ("金穗", "Jinsui"), ("远帆", "Yuanfan"), ("嘉禾", "Jiahe"), ("博远", "Boyuan"), ("祥云", "Xiangyun"),
    ("青竹", "Qingzhu"), ("明川", "Mingchuan"), ("安泰", "Antai"), ("德润", "Derun"), ("汇通", "Huitong"),
    ("山禾", "Shanhe"), ("澄江", "Chengjiang"), ("锦程", "Jincheng"), ("昊天", "Haotian"), ("云岭", "Yunling"),
    ("立信", "Lixin"), ("盛和", "Shenghe"), ("若水", "Ruoshui"), ("宏域", "Hongyu"), ("方圆", "Fangyuan"),
    ("知行", "Zhixing"), ("星禾", "Xinghe"), ("新沃", "Xinwo"), ("益康", "Yikang"), ("泽众", "Zezhong"),
    ("北辰", "Beichen"), ("恒丰", "Hengfeng"), ("聚力", "Juli"), ("朗润", "Langrun"), ("优品", "Youpin"),
    ("通衢", "Tongqu"), ("长乐", "Changle"), ("禾润", "Herun"), ("绿源", "Lüyuan"), ("拓岳", "Tuoyue"),
    ("麦田", "Maitian"), ("蓝湾", "Lanwan"), ("松柏", "Songbai"), ("凌峰", "Lingfeng"), ("溪谷", "Xigu"),
    ("悦来", "Yuelai"), ("丰泽", "Fengze"), ("卓然", "Zhuoran"),
]  # fmt: skip

SIZE_ZH = {SizeBand.MICRO: "小微", SizeBand.SMALL: "小型", SizeBand.MEDIUM: "中型", SizeBand.LARGE: "大型"}
SIZE_EN = {SizeBand.MICRO: "micro", SizeBand.SMALL: "small", SizeBand.MEDIUM: "medium-sized", SizeBand.LARGE: "large"}
STAFF = {SizeBand.MICRO: (4, 19), SizeBand.SMALL: (20, 99), SizeBand.MEDIUM: (100, 299)}
INDUSTRY_ZH = {
    Industry.AGRICULTURE: "农业", Industry.MINING: "采矿", Industry.MANUFACTURING: "制造",
    Industry.UTILITIES: "能源", Industry.CONSTRUCTION: "建筑", Industry.TRADE: "批发零售",
    Industry.LOGISTICS: "物流", Industry.HOSPITALITY: "餐饮住宿", Industry.INFORMATION_TECHNOLOGY: "软件和信息技术",
    Industry.FINANCE: "金融", Industry.REAL_ESTATE: "房地产", Industry.BUSINESS_SERVICES: "商务服务",
    Industry.RESEARCH: "科研和技术服务", Industry.ENVIRONMENT: "环保", Industry.RESIDENT_SERVICES: "居民服务",
    Industry.EDUCATION: "教育", Industry.HEALTH: "医疗健康", Industry.CULTURE: "文化体育",
    Industry.PUBLIC_ADMINISTRATION: "公共管理", Industry.INTERNATIONAL: "国际组织",
}  # fmt: skip
INDUSTRY_EN = {
    Industry.AGRICULTURE: "agriculture", Industry.MANUFACTURING: "manufacturing", Industry.UTILITIES: "energy",
    Industry.CONSTRUCTION: "construction", Industry.TRADE: "retail and wholesale", Industry.LOGISTICS: "logistics",
    Industry.HOSPITALITY: "hospitality", Industry.INFORMATION_TECHNOLOGY: "software", Industry.FINANCE: "finance",
    Industry.BUSINESS_SERVICES: "business services", Industry.RESEARCH: "testing and research",
    Industry.ENVIRONMENT: "environmental services", Industry.EDUCATION: "education", Industry.HEALTH: "health care",
    Industry.CULTURE: "media", Industry.RESIDENT_SERVICES: "home services", Industry.REAL_ESTATE: "real estate",
    Industry.MINING: "mining",
}  # fmt: skip
# Tags any listing may carry, whatever it is about: a capability gets some of these at random.
GENERIC_TAGS = ["中小企业", "SME", "数字化", "降本增效", "AI"]
# Tags that say nothing about what a listing is for (generic words, industry names): two
# listings sharing only these are not about the same thing. Compared normalised.
BROAD_TAGS = frozenset(normalize_tag(tag) for tag in (*GENERIC_TAGS, *INDUSTRY_ZH.values(), *INDUSTRY_EN.values()))


@dataclass(frozen=True)
class Sector:
    """What an SME does: words for its name, a noun for it, its products."""

    zh_name: str
    en_name: str
    zh_noun: str
    en_noun: str
    zh_products: str
    en_products: str


SECTORS = {
    Industry.MANUFACTURING: [
        Sector("精密机械", "Precision Machinery", "精密机械企业", "precision machining shop", "精密五金件和机加工零件", "precision metal and machined parts"),
        Sector("塑胶制品", "Plastics", "塑胶制品厂", "plastics moulder", "注塑件和塑料包装", "injection-moulded parts and plastic packaging"),
        Sector("电子", "Electronics", "电子制造企业", "electronics maker", "PCB 组件和小家电控制板", "PCB assemblies and appliance control boards"),
        Sector("纺织", "Textile", "纺织企业", "textile mill", "功能面料和家纺产品", "technical fabrics and home textiles"),
        Sector("家居", "Home Furnishing", "家具企业", "furniture maker", "实木家具和定制橱柜", "solid-wood furniture and fitted kitchens"),
        Sector("汽车零部件", "Auto Parts", "汽车零部件企业", "auto parts supplier", "汽车线束和橡胶密封件", "wiring harnesses and rubber seals for cars"),
        Sector("陶瓷", "Ceramics", "陶瓷企业", "ceramics maker", "日用陶瓷和卫浴产品", "tableware and sanitary ceramics"),
    ],
    Industry.TRADE: [
        Sector("商贸", "Trading", "商贸公司", "trading company", "日用百货批发", "wholesale household goods"),
        Sector("电子商务", "E-commerce", "电商企业", "online retailer", "线上销售家居和小家电", "homeware and small appliances sold online"),
        Sector("连锁超市", "Supermarkets", "社区超市连锁", "supermarket chain", "社区生鲜超市", "neighbourhood fresh-food supermarkets"),
        Sector("母婴用品", "Baby Products", "母婴零售企业", "baby products retailer", "母婴用品门店和网店", "baby products in shops and online"),
    ],
    Industry.LOGISTICS: [
        Sector("物流", "Logistics", "物流企业", "logistics company", "同城配送和零担运输", "same-city delivery and LTL freight"),
        Sector("供应链", "Supply Chain", "供应链企业", "supply-chain company", "仓储和供应链管理", "warehousing and supply-chain management"),
        Sector("冷链物流", "Cold Chain", "冷链物流企业", "cold-chain carrier", "生鲜冷链运输", "fresh-food cold-chain transport"),
        Sector("国际货运代理", "Freight Forwarding", "货代企业", "freight forwarder", "海运和空运代理", "sea and air freight forwarding"),
    ],
    Industry.AGRICULTURE: [
        Sector("农业", "Agriculture", "农业企业", "vegetable farm", "蔬菜种植和净菜加工", "vegetables and pre-cut produce"),
        Sector("果业", "Orchards", "果业合作社", "fruit grower", "柑橘和猕猴桃", "citrus and kiwi fruit"),
        Sector("茶业", "Tea", "茶叶企业", "tea grower", "高山绿茶和红茶", "highland green and black tea"),
        Sector("生态养殖", "Livestock", "养殖企业", "livestock farm", "生猪和肉鸡养殖", "pig and broiler farming"),
    ],
    Industry.HOSPITALITY: [
        Sector("餐饮管理", "Catering", "餐饮企业", "restaurant group", "连锁中餐厅和中央厨房", "Chinese restaurants and a central kitchen"),
        Sector("酒店管理", "Hotels", "酒店管理公司", "hotel group", "精品酒店和民宿", "boutique hotels and guesthouses"),
    ],
    Industry.HEALTH: [
        Sector("医疗科技", "Medical", "诊所连锁", "clinic group", "社区诊所和体检中心", "community clinics and a health-check centre"),
        Sector("医疗器械", "Medical Devices", "医疗器械企业", "medical device maker", "康复理疗设备", "rehabilitation devices"),
        Sector("大药房", "Pharmacy", "连锁药店", "pharmacy chain", "社区连锁药店", "community pharmacies"),
    ],
    Industry.EDUCATION: [
        Sector("教育科技", "Education", "职业培训机构", "training school", "职业技能培训", "vocational skills training"),
        Sector("文化培训", "Learning", "培训学校", "tutoring centre", "课外辅导和艺术培训", "after-school tutoring and arts classes"),
    ],
    Industry.FINANCE: [
        Sector("融资租赁", "Leasing", "融资租赁公司", "leasing company", "设备融资租赁", "equipment leasing"),
        Sector("保险代理", "Insurance Agency", "保险代理公司", "insurance agency", "中小企业保险代理", "insurance broking for small firms"),
        Sector("小额贷款", "Microcredit", "小额贷款公司", "microcredit company", "面向个体工商户的小额贷款", "small loans to sole traders"),
    ],
    Industry.CONSTRUCTION: [
        Sector("建筑工程", "Construction", "建筑企业", "construction firm", "厂房和市政工程施工", "factory and municipal building works"),
        Sector("装饰工程", "Interiors", "装饰公司", "fit-out contractor", "商业空间装修", "commercial fit-outs"),
    ],
    Industry.BUSINESS_SERVICES: [
        Sector("企业服务", "Business Services", "企业服务公司", "business services firm", "财税代理和企业咨询", "accounting and business advice"),
        Sector("广告", "Advertising", "广告公司", "advertising agency", "品牌策划和广告投放", "branding and ad campaigns"),
        Sector("人力资源", "HR Services", "人力资源公司", "HR services firm", "招聘和灵活用工", "recruitment and flexible staffing"),
    ],
    Industry.INFORMATION_TECHNOLOGY: [
        Sector("软件", "Software", "软件公司", "software house", "行业管理软件定制", "custom business software"),
    ],
    Industry.CULTURE: [
        Sector("文化传媒", "Media", "文化传媒公司", "media studio", "短视频和文旅内容制作", "short videos and tourism content"),
    ],
    Industry.ENVIRONMENT: [
        Sector("环保科技", "Environmental", "环保企业", "wastewater treatment firm", "工业废水处理", "industrial wastewater treatment"),
    ],
    Industry.UTILITIES: [
        Sector("新能源", "New Energy", "新能源企业", "solar installer", "分布式光伏安装和运维", "rooftop solar installation and upkeep"),
    ],
    Industry.RESEARCH: [
        Sector("检测技术", "Testing", "检测机构", "testing lab", "材料检测和计量校准", "materials testing and calibration"),
    ],
    Industry.RESIDENT_SERVICES: [
        Sector("家政服务", "Home Services", "家政服务公司", "home services company", "家政保洁和家电维修", "housekeeping and appliance repair"),
    ],
}  # fmt: skip
# How many generated SMEs per industry (the three SMEs of seed_demo come on top).
SME_MIX = {
    Industry.MANUFACTURING: 11, Industry.TRADE: 6, Industry.LOGISTICS: 4, Industry.AGRICULTURE: 4,
    Industry.HEALTH: 3, Industry.HOSPITALITY: 2, Industry.EDUCATION: 2, Industry.FINANCE: 2,
    Industry.CONSTRUCTION: 2, Industry.BUSINESS_SERVICES: 2, Industry.INFORMATION_TECHNOLOGY: 1,
    Industry.CULTURE: 1, Industry.ENVIRONMENT: 1, Industry.UTILITIES: 1, Industry.RESEARCH: 1,
    Industry.RESIDENT_SERVICES: 1,
}  # fmt: skip

# --- what platforms open ------------------------------------------------------


@dataclass(frozen=True)
class Offering:
    """Something a platform opens: names and what it does, in both languages."""

    kind: str
    zh: str
    en: str
    zh_what: str
    en_what: str
    tags: tuple[str, ...]
    industries: tuple[str, ...] = ()
    classification: str = ""  # data sets only; chosen at random when empty


def _offer(kind, zh, en, zh_what, en_what, tags, industries="", classification="") -> Offering:
    split = lambda text: tuple(text.split(",")) if text else ()  # noqa: E731
    return Offering(kind, zh, en, zh_what, en_what, split(tags), split(industries), classification)


OFFERINGS = {
    "documents": [
        _offer(CapabilityKind.API, "增值税发票 OCR API", "VAT invoice OCR API", "识别增值税专用发票、普通发票和全电发票的全部票面字段，返回结构化结果", "reads every field of VAT special, ordinary and fully digital invoices and returns structured JSON", "OCR,发票,invoice,财务"),
        _offer(CapabilityKind.API, "发票真伪查验接口", "Invoice verification API", "实时核验发票真伪和作废、红冲状态", "checks in real time whether an invoice is genuine, voided or reversed", "发票,查验,invoice,tax"),
        _offer(CapabilityKind.API, "营业执照识别 API", "Business licence OCR API", "识别营业执照上的统一社会信用代码、名称、法定代表人和经营范围", "extracts the credit code, name, legal representative and business scope from a business licence", "OCR,营业执照,KYC"),
        _offer(CapabilityKind.API, "电子合同签署 API", "E-contract signing API", "在线签署具备法律效力的电子合同，支持企业印章和个人签名", "signs legally binding contracts online with company seals and personal signatures", "电子签名,合同,e-signature"),
        _offer(CapabilityKind.TOOL, "票据智能归档工具", "Smart receipt filing tool", "把拍照、扫描和邮件收到的票据自动分类、去重并归档到会计期间", "sorts, de-duplicates and files receipts from photos, scans and e-mail into accounting periods", "财务,票据,bookkeeping,OCR"),
        _offer(CapabilityKind.API, "表格与单据通用识别", "Table and form recognition API", "识别任意版式的表格、入库单、送货单、运单和回单，还原行列结构", "recognises tables, goods-received notes, delivery notes, waybills and signed receipts of any layout and rebuilds rows and columns", "OCR,表格,单据,document AI"),
        _offer(CapabilityKind.API, "语音转写 ASR API", "Speech-to-text API", "将普通话、粤语和带口音的录音转写为带标点的文字", "turns Mandarin, Cantonese and accented recordings into punctuated text", "语音识别,ASR,speech"),
        _offer(CapabilityKind.TOOL, "智能客服机器人", "Customer-service chatbot", "基于企业自己的知识库自动回答客户咨询，复杂问题转人工", "answers customer questions from your own knowledge base and hands the hard ones to a person", "客服,chatbot,大模型"),
        _offer(CapabilityKind.TOOL, "合同智能审查", "Contract risk review tool", "按审查要点标出合同中的风险条款和缺失条款，并给出修改建议", "flags risky and missing clauses in a contract against a checklist and suggests edits", "合同,合同审查,法务,大模型,contract review"),
    ],
    "logistics": [
        _offer(CapabilityKind.API, "物流轨迹查询 API", "Parcel tracking API", "聚合主流快递和零担公司的运单轨迹，统一格式推送", "aggregates waybill tracking from major couriers and LTL carriers in one format, with push updates", "物流,快递,tracking,logistics", "logistics,trade"),
        _offer(CapabilityKind.API, "地址解析与标准化接口", "Address parsing and geocoding API", "把口语化的收货地址解析为省市区街道并补全经纬度", "parses free-text delivery addresses into province, city, district and street, with coordinates", "地址,geocoding,logistics"),
        _offer(CapabilityKind.TOOL, "车辆路径优化工具", "Vehicle route optimisation tool", "根据订单、车型和时间窗自动排线，减少空驶里程", "plans delivery routes from orders, vehicle types and time windows to cut empty kilometres", "路径规划,配送,route optimisation,logistics", "logistics,trade,hospitality"),
        _offer(CapabilityKind.DATA, "全国公路货运价格指数", "National road freight rate index", "按线路和车型统计的整车与零担运价，每周更新", "full-truckload and LTL rates by lane and vehicle type, updated weekly", "运价,货运,freight,数据", "logistics", DataClassification.PUBLIC),
        _offer(CapabilityKind.API, "冷链温度监测 API", "Cold-chain temperature monitoring API", "接入冷藏车和冷库的温湿度传感器，超温实时告警", "connects reefer trucks and cold-store sensors and alerts on temperature excursions in real time", "冷链,IoT,cold chain", "logistics,agriculture,hospitality"),
        _offer(CapabilityKind.MODEL, "仓储需求预测模型", "Warehouse demand forecasting model", "基于历史出库和促销日历预测未来 8 周的 SKU 级出库量", "forecasts SKU-level outbound volume for the next eight weeks from history and promotion calendars", "需求预测,仓储,forecasting", "logistics,trade,manufacturing"),
        _offer(CapabilityKind.EXPERTISE, "仓库布局与拣货优化咨询", "Warehouse layout and picking consulting", "物流工程师现场诊断库位和拣货路径，给出改造方案", "logistics engineers review slotting and picking paths on site and propose changes", "仓储,咨询,warehouse", "logistics,trade"),
        _offer(CapabilityKind.DATA, "港口集装箱吞吐与船期数据", "Port throughput and vessel schedule data", "主要沿海港口的集装箱吞吐量、船舶到离港和拥堵指数", "container throughput, vessel arrivals and departures and congestion indices for major coastal ports", "港口,航运,shipping,数据", "logistics,trade"),
        _offer(CapabilityKind.TOOL, "跨境电商报关单证工具", "Cross-border customs paperwork tool", "自动生成报关单、装箱单和原产地证申请材料", "drafts customs declarations, packing lists and certificate-of-origin applications", "跨境,报关,customs,export", "trade,logistics,manufacturing"),
        _offer(CapabilityKind.TOOL, "车队油耗与驾驶行为分析", "Fleet fuel and driving behaviour analytics", "接入车载终端数据，分析每辆车的油耗、急加速、急刹车和怠速", "reads telematics data and shows fuel use, harsh acceleration, harsh braking and idling for every vehicle", "车队,油耗,telematics,logistics", "logistics,trade"),
    ],
    "retail": [
        _offer(CapabilityKind.API, "商品图像识别 API", "Product image recognition API", "识别货架和商品图片中的品牌、品类和规格", "recognises brand, category and pack size in shelf and product photos", "图像识别,零售,retail", "trade"),
        _offer(CapabilityKind.DATA, "县域消费趋势数据", "County-level consumer trend data", "按县域和品类统计的线上消费额与增速，按月更新", "online spending and growth by county and category, updated monthly", "消费,零售,下沉市场,market data", "trade"),
        _offer(CapabilityKind.TOOL, "直播带货脚本生成工具", "Livestream sales script generator", "根据商品卖点生成直播话术、短视频脚本和商品标题", "writes livestream talking points, short-video scripts and product titles from your selling points", "直播,电商,AIGC,marketing", "trade,agriculture,culture"),
        _offer(CapabilityKind.API, "会员营销消息触达", "Member messaging API", "面向会员分组发送短信和小程序消息，用于营销活动、预约和续费提醒，并统计转化效果", "sends text and mini-program messages to member segments, for campaigns and for booking and renewal reminders, and reports conversions", "营销,会员,CRM,消息提醒", "trade,hospitality,health,education"),
        _offer(CapabilityKind.MODEL, "门店销量预测模型", "Shop sales forecasting model", "融合天气、节假日和促销信息预测门店和单品销量", "forecasts store and item sales using weather, holidays and promotions", "销量预测,零售,forecasting,AI", "trade,hospitality"),
        _offer(CapabilityKind.TOOL, "门店进销存 SaaS", "Multi-shop inventory SaaS", "多门店进销存、扫码收银、库存和效期预警", "stock across several shops, barcode checkout, low-stock and expiry alerts", "进销存,门店,库存,SaaS,inventory", "trade,health"),
        _offer(CapabilityKind.EXPERTISE, "电商店铺运营陪跑", "E-commerce store coaching", "资深运营团队陪跑 90 天，优化选品、定价和投放", "a senior operations team works alongside you for 90 days on range, pricing and ads", "电商,运营,coaching", "trade,agriculture"),
        _offer(CapabilityKind.API, "评论情感分析 API", "Review sentiment analysis API", "分析电商、外卖和点评平台评论的情感倾向和高频问题", "scores the sentiment of shop, restaurant and hotel reviews and surfaces recurring complaints", "NLP,评论,点评,口碑,sentiment", "trade,hospitality"),
        _offer(CapabilityKind.TOOL, "客流预测与智能排班", "Footfall forecasting and staff rostering", "根据历史客流、天气和节假日预测到店人数，自动生成员工排班", "forecasts visitors from past footfall, weather and holidays and drafts staff rosters", "客流,排班,rostering", "hospitality,trade"),
    ],
    "manufacturing": [
        _offer(CapabilityKind.MODEL, "工业视觉缺陷检测模型", "Industrial visual defect detection model", "检测金属、注塑件和纺织品表面的划痕、污点和缺料，少量样本即可微调", "finds scratches, stains and short shots on metal, moulded and textile surfaces; fine-tunes on a few samples", "视觉检测,质检,defect detection,AI", "manufacturing"),
        _offer(CapabilityKind.TOOL, "设备预测性维护平台", "Predictive maintenance platform", "采集设备振动、电流和温度数据，提前预警故障", "collects vibration, current and temperature data and warns of failures before they happen", "预测性维护,故障预警,IoT,工业互联网", "manufacturing,utilities,environment,mining"),
        _offer(CapabilityKind.TOOL, "智能排产 APS", "Production scheduling (APS) tool", "根据订单交期、产能和物料约束自动生成生产计划", "builds production plans from due dates, capacity and material constraints", "排产,APS,MES", "manufacturing"),
        _offer(CapabilityKind.TOOL, "轻量级 MES 系统", "Lightweight MES", "工单报工、质量追溯和车间看板，两周上线", "work orders, quality traceability and shop-floor boards, live in two weeks", "MES,数字化车间,traceability", "manufacturing"),
        _offer(CapabilityKind.API, "工业设备数据采集网关", "Industrial device connectivity gateway", "支持 Modbus、OPC UA 和主流 PLC 协议的数据采集接口", "collects data over Modbus, OPC UA and the common PLC protocols", "工业互联网,PLC,OPC UA,IoT", "manufacturing,utilities"),
        _offer(CapabilityKind.EXPERTISE, "精益生产与数字化诊断", "Lean and digital maturity assessment", "专家驻厂评估生产流程和数字化水平，给出改造路线图", "experts assess your processes and digital maturity on site and draw up a roadmap", "精益生产,数字化转型,咨询", "manufacturing"),
        _offer(CapabilityKind.DATA, "大宗原材料价格数据", "Raw material price data", "钢材、水泥、塑料粒子、铜铝等原材料的日度价格和库存数据", "daily prices and stocks of steel, cement, plastic resin, copper and aluminium", "原材料,建材,价格,采购,commodities,数据", "manufacturing,construction,trade", DataClassification.PUBLIC),
        _offer(CapabilityKind.EXPERTISE, "能耗诊断与碳足迹核算", "Energy audit and carbon footprint accounting", "核算产品碳足迹，诊断用电用气，找出节能改造和峰谷用电的空间", "calculates product carbon footprints, audits electricity and gas use and finds savings, off-peak tariffs included", "节能,碳足迹,carbon,ESG", "manufacturing,utilities,construction"),
        _offer(CapabilityKind.TOOL, "CAD 图纸智能比对", "CAD drawing comparison tool", "自动比对两版工程图纸的尺寸和公差差异", "compares two revisions of an engineering drawing for changed dimensions and tolerances", "CAD,图纸,engineering", "manufacturing,construction"),
        _offer(CapabilityKind.MODEL, "织物瑕疵检测模型", "Fabric defect detection model", "识别坯布和成品布的断经、纬斜、油污等瑕疵", "detects broken ends, skewed weft, oil stains and other fabric flaws", "纺织,视觉检测,textile", "manufacturing"),
    ],
    "compute": [
        _offer(CapabilityKind.COMPUTE, "GPU 训练集群", "GPU training cluster", "8 卡 GPU 服务器，支持多机多卡训练和高速 RDMA 网络", "8-GPU servers for multi-node training over a fast RDMA network", "GPU,算力,训练,AI"),
        _offer(CapabilityKind.COMPUTE, "GPU 推理算力", "GPU inference capacity", "按秒计费的推理实例，自动扩缩容", "inference instances billed by the second, with autoscaling", "GPU,推理,inference,算力"),
        _offer(CapabilityKind.COMPUTE, "中小企业上云套餐", "SME cloud starter bundle", "云主机、数据库和对象存储组合套餐，含迁移支持", "cloud servers, a managed database and object storage in one bundle, with migration help", "云计算,cloud,存储"),
        _offer(CapabilityKind.COMPUTE, "东数西算冷数据存储", "Cold archive in western data centres", "利用西部数据中心低成本长期保存备份和归档数据", "keeps backups and archives in low-cost data centres in western China", "存储,东数西算,archive,backup"),
        _offer(CapabilityKind.COMPUTE, "HPC 仿真计算集群", "HPC cluster for simulation", "CPU 高性能计算集群，适合 CAE、流体和分子模拟", "a CPU HPC cluster for CAE, CFD and molecular simulation", "HPC,仿真,CAE,算力", "manufacturing,research"),
        _offer(CapabilityKind.TOOL, "MLOps 训练与部署平台", "MLOps training and deployment platform", "数据标注、训练、评估和一键部署的全流程平台", "labelling, training, evaluation and one-click deployment in one place", "MLOps,AI,部署"),
        _offer(CapabilityKind.COMPUTE, "边缘计算盒子租用", "Edge computing box rental", "在工厂或门店本地运行视觉模型的边缘设备，按月租用", "edge devices that run vision models in your plant or shop, rented by the month", "边缘计算,edge,IoT", "manufacturing,trade"),
        _offer(CapabilityKind.EXPERTISE, "大模型私有化部署服务", "Private LLM deployment service", "工程师协助在企业机房部署和调优大模型", "engineers help deploy and tune a large language model in your own server room", "大模型,LLM,私有化"),
    ],
    "ai_models": [
        _offer(CapabilityKind.MODEL, "通用大模型 API", "General-purpose LLM API", "中英文问答、写作（含营销文案）、摘要和代码生成，支持微调", "Chinese and English Q&A, writing (marketing copy too), summarising and code, with fine-tuning", "大模型,LLM,NLP,文案"),
        _offer(CapabilityKind.MODEL, "多语种机器翻译模型", "Multilingual machine translation model", "中英日韩俄等 20 种语言互译，支持术语库", "translates between Chinese, English, Japanese, Korean, Russian and 15 more languages, with glossaries", "翻译,translation,跨境"),
        _offer(CapabilityKind.MODEL, "文本向量与语义检索模型", "Text embedding and semantic search model", "把文档转为向量，支撑企业知识库检索和问答", "turns documents into vectors for knowledge-base search and Q&A", "向量检索,embedding,RAG,大模型"),
        _offer(CapabilityKind.MODEL, "语音合成 TTS 模型", "Text-to-speech model", "数十种音色的中英文语音合成，可定制品牌音色", "Chinese and English speech in dozens of voices, with custom brand voices", "语音合成,TTS,speech"),
        _offer(CapabilityKind.API, "商品图生成与美化 API", "Product image generation API", "根据文字描述生成营销图片，自动抠图换背景", "generates marketing images from text and swaps product photo backgrounds", "AIGC,图像生成,电商", "trade,agriculture,culture"),
        _offer(CapabilityKind.TOOL, "企业知识库问答助手", "Enterprise knowledge-base assistant", "上传制度、手册和合同，员工用自然语言提问", "upload policies, manuals and contracts and let staff ask questions in plain language", "知识库,大模型,RAG,assistant"),
        _offer(CapabilityKind.MODEL, "时序异常检测模型", "Time-series anomaly detection model", "对传感器、交易和流量数据做实时异常检测", "real-time anomaly detection on sensor, transaction and traffic data", "异常检测,时序,故障预警,anomaly detection"),
        _offer(CapabilityKind.EXPERTISE, "AI 应用落地咨询", "AI adoption consulting", "帮助企业梳理可落地的 AI 场景并完成第一个试点", "helps you pick realistic AI use cases and ship the first pilot", "AI,大模型,咨询,数字化转型"),
        _offer(CapabilityKind.MODEL, "安全帽与危险区域识别模型", "Hard-hat and danger-zone detection model", "识别工地和车间监控画面中未戴安全帽、闯入危险区域和明火", "spots missing hard hats, people in danger zones and open flames in site and workshop camera feeds", "安全生产,视觉识别,工地,safety", "construction,manufacturing"),
    ],
    "finance": [
        _offer(CapabilityKind.API, "企业工商信息查询 API", "Company registry lookup API", "查询企业工商登记、股东、变更和经营异常信息", "looks up registration, shareholders, changes and abnormal-operation records of companies", "工商,KYC,企业信息"),
        _offer(CapabilityKind.MODEL, "小微企业信用评分模型", "Small business credit scoring model", "基于开票、纳税和经营数据评估小微企业信用", "scores small businesses from invoicing, tax and operating data", "信用评分,风控,credit,普惠金融", "finance"),
        _offer(CapabilityKind.API, "应收账款确权与融资", "Receivables confirmation and financing", "核心企业在线确认应付账款，供应商凭此融资", "anchor buyers confirm payables online so their suppliers can borrow against them", "供应链金融,应收账款,融资", "manufacturing,trade,finance"),
        _offer(CapabilityKind.TOOL, "智能记账报税", "Bookkeeping and tax filing", "自动生成凭证和报表，一键申报增值税和企业所得税", "generates vouchers and statements and files VAT and corporate income tax in one step", "记账,报税,财务,SaaS"),
        _offer(CapabilityKind.DATA, "中小企业经营景气指数", "SME business climate index", "基于匿名开票数据编制的分行业、分地区经营景气指数", "business climate by industry and region, built from anonymised invoicing data", "景气指数,宏观,数据,经济", "", DataClassification.GENERAL),
        _offer(CapabilityKind.API, "银企流水自动对账", "Bank statement reconciliation API", "自动拉取多家银行流水并与订单和发票对账", "pulls statements from several banks and reconciles them with orders and invoices", "对账,支付,reconciliation,财务"),
        _offer(CapabilityKind.EXPERTISE, "融资与股权架构咨询", "Financing and equity structure advice", "为成长型企业设计融资方案和股权激励", "designs financing plans and staff equity schemes for growing firms", "融资,股权,咨询"),
        _offer(CapabilityKind.API, "反欺诈风险识别 API", "Fraud detection API", "识别虚假注册、恶意薅羊毛和交易欺诈", "spots fake sign-ups, promotion abuse and transaction fraud", "风控,反欺诈,fraud", "finance,trade"),
    ],
    "agriculture": [
        _offer(CapabilityKind.DATA, "农业气象数据", "Agro-meteorological data", "公里级网格的历史和未来 15 天气象数据及农业气象指数", "historical and 15-day forecast weather on a 1 km grid, with agro-meteorological indices", "气象,农业,weather,数据", "agriculture", DataClassification.PUBLIC),
        _offer(CapabilityKind.DATA, "土壤墒情与养分数据", "Soil moisture and nutrient data", "县域土壤墒情监测和测土配方养分数据", "county-level soil moisture readings and soil-test nutrient data", "土壤,农业,soil", "agriculture"),
        _offer(CapabilityKind.MODEL, "作物病虫害识别模型", "Crop pest and disease identification model", "拍照识别 300 多种作物病虫害并给出防治建议", "identifies over 300 crop pests and diseases from a photo and suggests treatment", "病虫害,农业,AI,识别", "agriculture"),
        _offer(CapabilityKind.API, "农产品批发价格行情 API", "Farm produce wholesale price API", "全国主要批发市场蔬菜、水果和肉禽蛋的日度价格", "daily prices of vegetables, fruit, meat and eggs at major wholesale markets", "农产品,价格,行情,agriculture", "agriculture,trade,hospitality"),
        _offer(CapabilityKind.TOOL, "农产品一物一码溯源", "Farm produce traceability codes", "一物一码记录种植、加工和流通环节，消费者扫码可查", "one code per item records growing, processing and distribution; shoppers scan to see it", "溯源,农产品,traceability", "agriculture,trade"),
        _offer(CapabilityKind.COMPUTE, "农业遥感影像处理", "Agricultural remote sensing processing", "处理卫星和无人机影像，输出长势和估产结果", "processes satellite and drone imagery into crop vigour maps and yield estimates", "遥感,无人机,remote sensing,农业", "agriculture"),
        _offer(CapabilityKind.EXPERTISE, "农产品品牌与电商渠道打造", "Farm brand and online channel building", "帮助合作社和家庭农场打造品牌、包装和线上渠道", "helps co-operatives and family farms with branding, packaging and online channels", "农产品,品牌,电商", "agriculture"),
    ],
    "health": [
        _offer(CapabilityKind.API, "医学影像辅助阅片 API", "Medical imaging reading assistant API", "对胸部 CT 和眼底照片给出辅助诊断提示", "flags findings on chest CT scans and retinal photos to assist reading", "医学影像,AI,医疗", "health"),
        _offer(CapabilityKind.DATA, "脱敏门诊诊疗数据集（科研用）", "De-identified outpatient data set (research)", "经脱敏处理的门诊诊疗记录，仅限科研用途", "de-identified outpatient records, for research use only", "医疗数据,科研,脱敏", "health,research", DataClassification.IMPORTANT),
        _offer(CapabilityKind.TOOL, "诊所电子病历与预约系统", "Clinic EMR and booking system", "小型诊所的电子病历、预约挂号、复诊提醒和药品库存管理", "records, bookings with reminders and drug stock for small clinics", "电子病历,诊所,预约,随访,SaaS", "health"),
        _offer(CapabilityKind.API, "药品说明书与相互作用查询", "Drug label and interaction API", "查询药品说明书、禁忌和药物相互作用", "looks up drug labels, contraindications and interactions", "药品,医疗,API", "health"),
        _offer(CapabilityKind.EXPERTISE, "医疗器械注册合规咨询", "Medical device registration consulting", "协助二类、三类医疗器械完成注册申报", "guides class II and III medical device registration dossiers", "医疗器械,合规,注册", "health,manufacturing"),
        _offer(CapabilityKind.MODEL, "健康问诊预分诊模型", "Symptom triage model", "根据患者描述的症状推荐科室和就诊紧急程度", "suggests a department and urgency from the symptoms patients describe", "分诊,大模型,医疗", "health"),
    ],
    "education": [
        _offer(CapabilityKind.TOOL, "在线课堂与直播教学", "Online classroom and live teaching", "互动白板、小班直播和课后回放", "interactive whiteboard, small-group live classes and recordings", "在线教育,直播,education", "education"),
        _offer(CapabilityKind.MODEL, "作文智能批改模型", "Essay marking model", "中英文作文自动评分并给出逐句修改建议", "marks Chinese and English essays and suggests edits sentence by sentence", "教育,批改,NLP", "education"),
        _offer(CapabilityKind.DATA, "职业技能岗位需求数据", "Vocational skills demand data", "各地招聘岗位的技能要求和薪资分布", "skills asked for and pay ranges of job postings by region", "职业教育,就业,数据", "education,business_services"),
        _offer(CapabilityKind.TOOL, "企业培训与考试平台", "Corporate training and exam platform", "课程管理、在线考试和证书发放", "courses, online exams and certificates", "培训,考试,LMS"),
        _offer(CapabilityKind.EXPERTISE, "数字技能培训课程定制", "Custom digital skills training", "为企业员工定制数据分析和 AI 工具使用课程", "courses for your staff on data analysis and AI tools, made to measure", "培训,数字技能,AI"),
    ],
    "public_data": [
        _offer(CapabilityKind.DATA, "招投标公告数据", "Public tender notice data", "全国公共资源交易平台招投标公告的结构化数据", "structured tender and award notices from public resource trading platforms", "招投标,政府采购,tender", "", DataClassification.PUBLIC),
        _offer(CapabilityKind.DATA, "专利与商标数据", "Patent and trademark data", "专利著录项目、法律状态和商标注册数据", "patent bibliographic and legal status data, and trademark registrations", "专利,知识产权,IP", "", DataClassification.PUBLIC),
        _offer(CapabilityKind.DATA, "城市 POI 与人流热力数据", "City POI and footfall data", "城市兴趣点和按小时汇总的人流热力", "points of interest and footfall aggregated by the hour", "POI,人流,选址,location", "trade,hospitality,real_estate"),
        _offer(CapabilityKind.DATA, "进出口海关统计数据", "Import and export statistics", "按 HS 编码、国家和月份统计的进出口数据", "imports and exports by HS code, country and month", "海关,外贸,trade data,export", "trade,manufacturing", DataClassification.PUBLIC),
        _offer(CapabilityKind.DATA, "充电桩运营数据", "EV charging usage data", "充电桩分布、利用率和分时段充电量", "charger locations, utilisation and charging volume by hour", "新能源,充电桩,EV", "utilities,logistics"),
        _offer(CapabilityKind.API, "惠企政策匹配 API", "Business support policy finder API", "按地区和行业匹配适用的扶持政策和补贴申报条件", "matches support policies and subsidy criteria to your region and industry", "政策,补贴,中小企业"),
    ],
    "advice": [
        _offer(CapabilityKind.EXPERTISE, "数据安全合规评估", "Data security compliance assessment", "对照《数据安全法》和《个人信息保护法》评估数据处理活动", "assesses your data processing against the Data Security Law and the Personal Information Protection Law", "数据安全,合规,PIPL"),
        _offer(CapabilityKind.EXPERTISE, "业务系统上云迁移", "Moving business systems to the cloud", "评估并迁移 ERP、MES 等系统到云端", "assesses and moves ERP, MES and other systems to the cloud", "上云,迁移,cloud"),
        _offer(CapabilityKind.EXPERTISE, "出海合规与本地化", "Going-global compliance and localisation", "帮助企业完成海外市场的合规、翻译和本地化", "helps with compliance, translation and localisation for overseas markets", "出海,跨境,localisation"),
        _offer(CapabilityKind.TOOL, "网站漏洞扫描", "Website vulnerability scanning", "定期扫描网站和服务器漏洞，给出修复建议", "scans websites and servers regularly and explains how to fix what it finds", "网络安全,漏洞,security"),
    ],
}  # fmt: skip

# --- what SMEs need ------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something an SME wants solved: a noun phrase and why, in both languages;
    the offerings that genuinely solve it; and the firms that have it.

    ``solved_by`` names offerings by their Chinese title (``Offering.zh``):
    every need made of this problem has one of them in the catalogue, of a kind
    it asks for, that the firm may use. ``sectors`` (``Sector.en_name``) and
    ``industries`` narrow who has the problem: a precision machining shop does
    not inspect fabric. Empty: every firm that draws from the problem's list.
    """

    zh: str
    en: str
    kinds: tuple[str, ...]
    tags: tuple[str, ...]
    zh_why: str
    en_why: str
    solved_by: tuple[str, ...]
    sectors: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()


def _problem(zh, en, kinds, tags, zh_why, en_why, solved_by, sectors="", industries="") -> Problem:
    split = lambda text, sep=",": tuple(text.split(sep)) if text else ()  # noqa: E731
    return Problem(
        zh, en, split(kinds), split(tags), zh_why, en_why, split(solved_by, "|"), split(sectors), split(industries)
    )


# Who has which problem: sectors by their English name (see SECTORS).
MACHINING = "Precision Machinery,Plastics,Electronics,Auto Parts"
PROBLEMS = {
    "manufacturing": [
        _problem("零件表面缺陷视觉检测", "visual inspection of machined parts", "model,tool", "视觉检测,质检,缺陷检测", "目前全靠人工目检，夜班漏检明显，客户投诉增多", "inspection is manual, night shifts miss defects and complaints are rising", "工业视觉缺陷检测模型", "Precision Machinery,Auto Parts"),
        _problem("注塑件表面缺陷视觉检测", "visual inspection of moulded parts", "model,tool", "视觉检测,质检,注塑", "缩痕和缺料全靠人工挑拣，夜班漏检明显", "sink marks and short shots are sorted by hand and night shifts miss them", "工业视觉缺陷检测模型", "Plastics"),
        _problem("织物瑕疵自动检测", "automatic fabric defect detection", "model", "纺织,视觉检测,质检", "验布工招工难，高速验布机上人眼跟不上", "fabric inspectors are hard to hire and people cannot keep up with fast inspection frames", "织物瑕疵检测模型|工业视觉缺陷检测模型", "Textile"),
        _problem("设备故障预警", "early warning of machine breakdowns", "tool,model", "预测性维护,故障预警,IoT", "去年两台关键设备突发故障，累计停线 60 多小时", "two key machines failed without warning last year and stopped the line for over 60 hours", "设备预测性维护平台|时序异常检测模型"),
        _problem("生产排程优化", "production scheduling", "tool", "排产,APS,交期", "订单多品种小批量，计划员每天手工排产要花半天", "orders are high-mix and low-volume, and our planner spends half a day scheduling by hand", "智能排产 APS"),
        _problem("车间数据采集与看板", "shop-floor data collection and dashboards", "tool,api", "MES,数据采集,看板,工业互联网", "设备品牌杂，产量和停机数据还记在纸质报表上", "our machines are of mixed brands and output and downtime are still logged on paper", "轻量级 MES 系统|工业设备数据采集网关"),
        _problem("原材料价格走势数据", "raw material price data", "data", "原材料,价格,采购", "铜、钢材和塑料粒子价格波动大，采购时机全凭经验", "copper, steel and resin prices swing and we time purchases by gut feeling", "大宗原材料价格数据", MACHINING),
        _problem("产品碳足迹核算", "product carbon footprint accounting", "expertise,tool", "碳足迹,出口,ESG", "欧洲客户要求明年起提供产品碳足迹报告", "European customers want product carbon footprints from next year", "能耗诊断与碳足迹核算"),
        _problem("成品需求预测", "demand forecasting for finished goods", "model,data", "需求预测,库存,forecasting", "成品库存积压和缺货同时存在，资金压力大", "we have overstock and stock-outs at the same time, and it ties up cash", "仓储需求预测模型"),
        _problem("工厂能耗优化", "factory energy savings", "expertise,tool", "节能,能耗,电费", "电费占成本近 8%，峰谷电价没有用好", "electricity is almost 8% of our costs and we do not use off-peak tariffs well", "能耗诊断与碳足迹核算"),
        _problem("图纸版本管理与比对", "drawing revision control", "tool", "CAD,图纸,研发", "客户图纸改版频繁，曾因用错版本报废一批零件", "customers revise drawings often and we once scrapped a batch made to an old revision", "CAD 图纸智能比对", MACHINING + ",Home Furnishing"),
        _problem("CAE 仿真算力", "computing power for CAE simulation", "compute", "仿真,CAE,HPC,算力", "模流分析和结构仿真在工作站上一次要跑一整晚", "a mould-flow or stress simulation runs all night on our workstation", "HPC 仿真计算集群", MACHINING),
        _problem("智能制造数字化诊断", "a digital maturity assessment", "expertise", "数字化转型,咨询,智能制造", "想申报智能制造项目，但不清楚从哪里入手", "we want to apply for a smart-manufacturing programme but do not know where to start", "精益生产与数字化诊断"),
        _problem("出口市场数据", "export market data", "data", "外贸,进出口,海关,export", "想开拓新的出口市场，但不清楚各国进口需求", "we want new export markets but do not know what each country imports", "进出口海关统计数据", "Textile,Home Furnishing,Ceramics,Electronics"),
        _problem("外贸询盘多语种翻译", "translation of export enquiries", "model,api", "翻译,外贸,跨境", "询盘来自十几个国家，业务员只会英语", "enquiries come from a dozen countries and our sales team only speaks English", "多语种机器翻译模型"),
    ],
    "trade": [
        _problem("门店销量预测与自动补货", "sales forecasting and automatic replenishment", "model,data", "销量预测,补货,零售", "生鲜损耗率超过 6%，畅销品却经常断货", "fresh-food waste is above 6% while best-sellers keep running out", "门店销量预测模型", "Supermarkets"),
        _problem("直播带货内容生成", "livestream content creation", "tool,model", "直播,电商,AIGC", "每天要准备三场直播的话术和短视频，运营人手不够", "we run three livestreams a day and do not have the people to script them", "直播带货脚本生成工具", "E-commerce,Baby Products"),
        _problem("商品图片批量美化", "batch product photo retouching", "api,tool", "商品图,图像生成,电商,AIGC", "上新 SKU 多，外包修图又贵又慢", "we list many new SKUs and outsourced retouching is slow and expensive", "商品图生成与美化 API", "E-commerce,Baby Products,Trading"),
        _problem("会员精准营销", "targeted member marketing", "tool,api", "会员,营销,CRM", "有 3 万会员，但复购率只有 12%", "we have 30,000 members but only 12% buy again", "会员营销消息触达", "Supermarkets,Baby Products,E-commerce"),
        _problem("县域消费数据", "county-level consumer data", "data", "消费数据,消费,选品,下沉市场", "准备进入周边县城市场，缺少消费数据支撑选品", "we plan to sell in nearby county towns and have no data to choose the range", "县域消费趋势数据"),
        _problem("评论分析与选品", "review analysis for product selection", "api,model", "评论,选品,NLP", "差评原因分散在几千条评论里，没人系统整理", "the reasons for bad reviews are buried in thousands of comments", "评论情感分析 API", "E-commerce,Baby Products,Trading"),
        _problem("多门店进销存系统", "an inventory system for several shops", "tool", "进销存,门店,库存", "五家门店各用各的表格，月底盘点对不上", "five shops keep their own spreadsheets and stock counts never agree", "门店进销存 SaaS", "Supermarkets,Baby Products"),
        _problem("跨境电商报关与单证", "customs paperwork for cross-border sales", "tool,expertise", "跨境电商,报关,export", "出口订单增加，单证全靠人工填写，经常出错", "export orders are growing and the paperwork is filled in by hand, with mistakes", "跨境电商报关单证工具", "E-commerce,Trading"),
        _problem("智能客服", "an AI customer-service assistant", "tool,model", "客服,大模型,chatbot", "大促期间咨询量翻十倍，客服回复不过来", "enquiries grow tenfold during sales and our agents cannot keep up", "智能客服机器人", "E-commerce,Baby Products,Trading"),
        _problem("新店选址数据", "site selection data for new shops", "data", "选址,POI,人流", "今年计划新开 4 家店，选址还靠实地蹲点", "we plan four new shops this year and still choose sites by standing on the street", "城市 POI 与人流热力数据", "Supermarkets,Baby Products"),
    ],
    "logistics": [
        _problem("配送路线优化", "delivery route optimisation", "tool,api", "路径规划,配送,route optimisation", "20 辆车每天跑 300 多个点，排线靠调度员经验", "20 vans serve over 300 drops a day and routes depend on one dispatcher's memory", "车辆路径优化工具", "Logistics,Cold Chain,Supply Chain"),
        _problem("冷链温度全程监控", "end-to-end cold-chain temperature monitoring", "api,tool", "冷链,温控,IoT", "客户要求提供全程温度记录，目前只能抽查", "customers want full temperature records and we can only spot-check", "冷链温度监测 API", "Cold Chain"),
        _problem("运单与回单 OCR", "OCR for waybills and signed receipts", "api", "OCR,运单,回单,单据", "每月上万张纸质单据要人工录入", "over 10,000 paper waybills and receipts a month are typed in by hand", "表格与单据通用识别"),
        _problem("整车与零担运价数据", "road freight rate data", "data", "运价,货运,freight", "报价时缺少市场运价参考，经常报高丢单或报低亏钱", "we quote without market rates and either lose bids or lose money", "全国公路货运价格指数", "Logistics,Supply Chain,Cold Chain"),
        _problem("仓库布局与拣货效率提升", "warehouse layout and picking improvements", "expertise", "仓储,拣货,warehouse", "仓库扩建后拣货路径变长，人效下降了 20%", "after extending the warehouse, picking paths grew and productivity fell by 20%", "仓库布局与拣货优化咨询", "Logistics,Supply Chain"),
        _problem("多家快递轨迹统一查询", "parcel tracking across several couriers", "api", "快递,物流轨迹,tracking", "客户在几个快递公司网站之间来回查件", "customers hop between several courier websites to find their parcels", "物流轨迹查询 API", "Logistics,Supply Chain"),
        _problem("收货地址标准化", "delivery address cleaning", "api", "地址,geocoding,配送", "约 5% 的地址不完整，导致二次派送", "about 5% of addresses are incomplete and need a second delivery attempt", "地址解析与标准化接口", "Logistics,Cold Chain,Supply Chain"),
        _problem("港口船期数据对接", "port and vessel schedule data", "data,api", "港口,船期,shipping", "船期变化要靠电话确认，客户经常追问", "we confirm vessel schedules by phone and customers keep chasing us", "港口集装箱吞吐与船期数据", "Freight Forwarding,Supply Chain"),
        _problem("车队油耗与驾驶行为分析", "fuel use and driver behaviour analysis", "tool,model", "车队,油耗,telematics", "油费占运营成本三成，不清楚浪费在哪里", "fuel is 30% of operating cost and we do not know where it is wasted", "车队油耗与驾驶行为分析", "Logistics,Cold Chain"),
        _problem("出口报关单证制作", "customs paperwork for export shipments", "tool", "报关,单证,customs,export", "旺季每天要做上百票报关单证，全靠人工录入", "in peak season we prepare over a hundred customs declarations a day by hand", "跨境电商报关单证工具", "Freight Forwarding"),
        _problem("进出口贸易数据", "import and export statistics", "data", "外贸,进出口,海关,trade data", "想开发增长快的航线和货主，缺少进出口数据", "we want to find growing trade lanes and shippers but have no trade data", "进出口海关统计数据", "Freight Forwarding"),
    ],
    "agriculture": [
        _problem("作物病虫害识别", "crop disease identification", "model,api", "病虫害,种植,AI", "去年一场病害没及时发现，减产近两成", "last year a disease was spotted late and the harvest fell by almost a fifth", "作物病虫害识别模型", "Agriculture,Orchards,Tea"),
        _problem("农业气象数据", "farm weather data", "data", "气象,种植,weather", "霜冻和暴雨预警不准，采摘和用工安排被动", "frost and storm warnings come late, so picking and labour plans are always reactive", "农业气象数据", "Agriculture,Orchards,Tea"),
        _problem("农产品溯源", "traceability for our farm produce", "tool", "溯源,农产品,食品安全", "商超渠道要求提供可扫码的溯源信息", "supermarket buyers ask for scannable traceability", "农产品一物一码溯源"),
        _problem("农产品价格行情", "wholesale prices of farm produce", "data,api", "农产品,价格,行情", "卖货时不了解各批发市场价格，议价被动", "we sell without knowing wholesale market prices and negotiate blind", "农产品批发价格行情 API", "Agriculture,Orchards,Livestock"),
        _problem("无人机遥感估产", "drone-based yield estimation", "compute,model", "遥感,无人机,估产", "种植面积大，估产全靠人工抽样", "our fields are large and yield estimates rely on manual sampling", "农业遥感影像处理", "Agriculture,Orchards,Tea"),
        _problem("农产品品牌与电商渠道", "branding and online sales for our produce", "expertise", "品牌,电商,农产品", "产品好但没品牌，只能低价卖给收购商", "the produce is good but has no brand, so we sell cheaply to middlemen", "农产品品牌与电商渠道打造|电商店铺运营陪跑"),
        _problem("土壤检测与配方施肥", "soil testing and fertiliser planning", "data,expertise", "土壤,施肥,soil", "化肥用量大，土壤板结问题越来越明显", "we use a lot of fertiliser and the soil is getting compacted", "土壤墒情与养分数据", "Agriculture,Orchards,Tea"),
        _problem("冷库温控告警", "cold-store monitoring and alerts", "api,tool", "冷库,冷链,IoT", "冷库夜间断电过一次，整库产品报废", "the cold store lost power one night and a whole room of stock was lost", "冷链温度监测 API", "Agriculture,Orchards,Livestock"),
        _problem("农产品直播带货", "livestream sales of our produce", "tool", "直播,电商,农产品", "想通过直播把产品直接卖给消费者，但不会写脚本", "we want to sell direct on livestreams but cannot script them", "直播带货脚本生成工具", "Orchards,Tea,Livestock"),
    ],
    "hospitality": [
        _problem("客流预测与员工排班", "footfall forecasting and staff rostering", "tool,model", "客流,排班,餐饮", "高峰期人手不够，平时又闲置，人工成本高", "we are short-staffed at peaks and idle otherwise, so labour costs are high", "客流预测与智能排班"),
        _problem("点评与口碑分析", "review and reputation analysis", "api,tool", "点评,口碑,评论", "各平台点评分散，不知道差评集中在哪些方面", "reviews are spread over several apps and we cannot see what draws complaints", "评论情感分析 API"),
        _problem("中央厨房冷链配送", "cold-chain delivery from the central kitchen", "api,tool", "冷链,中央厨房,配送", "中央厨房向 12 家门店配送，温度和时效难以管控", "our central kitchen supplies 12 restaurants and temperature and timing are hard to control", "冷链温度监测 API|车辆路径优化工具", "Catering"),
        _problem("多语种菜单与服务翻译", "menu and guest-service translation", "model,api", "翻译,入境游,酒店", "入境游客人增多，服务员只会简单英语", "more foreign guests arrive and our staff speak only basic English", "多语种机器翻译模型"),
        _problem("酒店智能客服", "a guest-service chatbot for our hotels", "tool,model", "酒店,客服,chatbot", "夜间咨询多，值班人员忙不过来", "there are many questions at night and the night shift cannot answer them all", "智能客服机器人", "Hotels"),
        _problem("食材价格数据", "ingredient price data", "data,api", "食材,采购,价格,行情", "食材采购价波动大，毛利难以控制", "ingredient prices swing and margins are hard to hold", "农产品批发价格行情 API", "Catering"),
        _problem("会员复购营销", "member marketing for repeat business", "tool,api", "会员,营销,复购", "老客户不少，但没有会员营销手段", "we have many regulars but no way to market to them", "会员营销消息触达"),
    ],
    "health": [
        _problem("诊所电子病历系统", "an EMR for our clinics", "tool", "电子病历,诊所,SaaS", "还在用纸质病历，复诊查历史记录很慢", "records are still on paper and finding a patient's history takes too long", "诊所电子病历与预约系统", "Medical"),
        _problem("影像辅助诊断", "AI-assisted reading of medical images", "api,model", "医学影像,AI,诊断", "放射科医生只有两位，阅片排队严重", "we have only two radiologists and images queue up", "医学影像辅助阅片 API", "Medical"),
        _problem("医疗器械注册咨询", "medical device registration support", "expertise", "医疗器械,注册,合规", "新产品准备申报二类证，缺少注册经验", "a new product needs class II registration and we have never done one", "医疗器械注册合规咨询", "Medical Devices"),
        _problem("药品相互作用审核", "drug interaction checks", "api,data", "药品,用药安全,API", "药师人工审方压力大，担心漏掉配伍禁忌", "pharmacists check prescriptions by hand and worry about missing interactions", "药品说明书与相互作用查询", "Medical,Pharmacy"),
        _problem("患者预约与随访提醒", "appointment and follow-up reminders", "tool,api", "预约,随访,患者", "爽约率接近 15%，随访全靠电话", "almost 15% of patients miss appointments and follow-ups are done by phone", "诊所电子病历与预约系统", "Medical"),
        _problem("科研用脱敏数据", "de-identified data for a study", "data", "医疗数据,科研,脱敏", "与高校合作开展慢病研究，需要合规的数据来源", "we are studying chronic disease with a university and need a compliant data source", "脱敏门诊诊疗数据集（科研用）", "Medical,Medical Devices"),
        _problem("药店进销存与效期管理", "stock and expiry control across our pharmacies", "tool", "进销存,门店,效期,库存", "十几家门店各自管库存，近效期药品经常过期报废", "each pharmacy keeps its own stock and short-dated medicines often expire on the shelf", "门店进销存 SaaS", "Pharmacy"),
        _problem("会员慢病续药提醒", "refill reminders for our members", "tool,api", "会员,消息提醒,慢病", "慢病会员多，续药全靠店员逐个打电话提醒", "many members take long-term medicines and staff phone each of them about refills", "会员营销消息触达", "Pharmacy"),
        _problem("产品说明书多语种翻译", "translation of device manuals for export", "model,api", "翻译,出口,说明书", "准备出口东南亚，说明书和注册资料要译成多种语言", "we are starting to export and manuals and dossiers need several languages", "多语种机器翻译模型", "Medical Devices"),
    ],
    "education": [
        _problem("在线直播教学平台", "a live online teaching platform", "tool", "在线教育,直播,课堂", "线下课程想同步开线上班，现有工具不稳定", "we want online versions of our classes and our current tool keeps dropping", "在线课堂与直播教学"),
        _problem("作文自动批改", "automatic essay marking", "model,api", "批改,作文,NLP", "老师每周要批改上千篇作文", "our teachers mark over a thousand essays a week", "作文智能批改模型", "Learning"),
        _problem("岗位技能需求数据", "data on the skills employers ask for", "data", "职业教育,就业,技能", "课程设置跟不上企业用人需求变化", "our courses lag behind what employers now ask for", "职业技能岗位需求数据", "Education"),
        _problem("培训考试系统", "a training and exam system", "tool", "培训,考试,LMS", "考试还用纸质试卷，统计成绩耗时", "exams are on paper and adding up results takes days", "企业培训与考试平台", "Education"),
        _problem("课程视频字幕生成", "subtitles for course videos", "api,model", "字幕,语音识别,ASR,视频", "200 多个课程视频没有字幕，学员反馈不便", "over 200 course videos have no subtitles and learners complain", "语音转写 ASR API"),
        _problem("家长课程通知", "class notices to parents", "tool,api", "家长,通知,消息提醒", "调课和停课通知靠老师逐个发微信", "class changes are sent to parents one by one on WeChat", "会员营销消息触达", "Learning"),
    ],
    "finance": [
        _problem("小微客户信用评估", "credit assessment of small borrowers", "model,data", "信用评估,风控,小微", "客户多为个体户，缺少财务报表，审批靠经验", "most borrowers are sole traders without accounts, so approval relies on experience", "小微企业信用评分模型", "Microcredit,Leasing"),
        _problem("反欺诈识别", "fraud detection", "api,model", "反欺诈,风控,fraud", "去年遇到几起团伙骗贷骗保，损失不小", "organised fraud cost us dearly last year", "反欺诈风险识别 API"),
        _problem("企业工商信息核验", "company registry checks", "api", "工商信息,KYC,核验", "客户资料核验靠人工查网站，效率低", "we check customer details by hand on public websites", "企业工商信息查询 API|营业执照识别 API"),
        _problem("银行流水自动对账", "bank statement reconciliation", "tool,api", "对账,财务,银行流水", "每月对账要两个人忙一周", "monthly reconciliation keeps two people busy for a week", "银企流水自动对账"),
        _problem("数据安全合规咨询", "data-protection compliance advice", "expertise", "数据安全,合规,PIPL", "监管检查临近，个人信息处理流程还不规范", "an inspection is coming and our handling of personal data is not in order", "数据安全合规评估"),
    ],
    "construction": [
        _problem("工地安全帽与危险区域识别", "site safety monitoring", "model,tool", "安全生产,视觉识别,工地", "工地多、安全员少，违规作业发现不及时", "we run many sites with few safety officers and spot violations too late", "安全帽与危险区域识别模型", "Construction"),
        _problem("施工图纸比对", "construction drawing comparison", "tool", "图纸,CAD,工程", "设计变更频繁，现场常按旧图施工", "design changes are frequent and crews sometimes build to old drawings", "CAD 图纸智能比对"),
        _problem("建材价格数据", "building material price data", "data", "建材,价格,采购", "投标报价时建材价格参考不足", "we bid without good building material prices", "大宗原材料价格数据"),
        _problem("招投标信息订阅", "tender notice alerts", "data,api", "招投标,项目,tender", "经常错过本地的中小型项目招标", "we keep missing small local tenders", "招投标公告数据"),
        _problem("建筑能耗与碳排放核算", "energy and carbon accounting for buildings", "expertise,tool", "建筑节能,节能,碳排放,能耗", "业主要求提供项目的能耗和碳排放测算", "clients ask for energy and carbon estimates of our projects", "能耗诊断与碳足迹核算", "Construction"),
    ],
    "environment": [
        _problem("出水水质异常预警", "early warning of effluent quality problems", "model,tool", "水质,在线监测,异常检测", "出水指标偶尔超标，等化验结果出来已经晚了", "effluent sometimes breaches its limits and lab results come too late", "时序异常检测模型"),
        _problem("水泵风机故障预警", "early warning of pump and blower failures", "tool,model", "预测性维护,故障预警,设备", "曝气风机突发故障会让整条处理线停运", "a failed aeration blower stops the whole treatment line", "设备预测性维护平台|时序异常检测模型"),
        _problem("环保项目招标信息", "alerts for environmental tenders", "data,api", "招投标,污水处理,tender", "经常错过各地污水处理项目的招标", "we keep missing wastewater project tenders", "招投标公告数据"),
        _problem("污水站能耗优化", "energy savings at our treatment plant", "expertise,tool", "节能,能耗,电费", "电费是污水站最大的运行成本", "electricity is the plant's biggest running cost", "能耗诊断与碳足迹核算"),
    ],
    "energy": [
        _problem("光伏电站发电异常检测", "detection of underperforming solar arrays", "model,tool", "光伏,发电量,异常检测", "上百个屋顶电站，发电量下降往往几周后才发现", "we look after over a hundred rooftop systems and notice output drops weeks late", "时序异常检测模型"),
        _problem("逆变器故障预警", "early warning of inverter failures", "tool,model", "预测性维护,故障预警,逆变器", "逆变器故障要等业主投诉才知道", "we hear about failed inverters only when owners complain", "设备预测性维护平台|时序异常检测模型"),
        _problem("光伏项目招标信息", "alerts for solar tenders", "data,api", "招投标,光伏,tender", "经常错过工商业屋顶光伏项目的招标", "we keep missing tenders for commercial rooftop solar", "招投标公告数据"),
        _problem("客户减碳量核算", "carbon savings accounting for our clients", "expertise", "碳排放,碳足迹,ESG", "工商业客户想知道装光伏后能减多少碳排放", "commercial clients want to know how much carbon their solar saves", "能耗诊断与碳足迹核算"),
    ],
    "business_services": [
        _problem("合同电子签署", "electronic contract signing", "api,tool", "电子合同,电子签名,签署,合同", "客户分布全国，纸质合同邮寄要一周", "clients are all over China and posting paper contracts takes a week", "电子合同签署 API", "Business Services,Advertising,HR Services,Software,Media,Home Services"),
        _problem("招投标商机数据", "tender leads", "data", "招投标,商机,tender", "销售线索少，想从公开招标中找商机", "we lack sales leads and want to find them in public tenders", "招投标公告数据", "Business Services,Advertising,Software,Testing"),
        _problem("知识产权检索", "patent and trademark searches", "data,expertise", "专利,商标,知识产权", "替客户做商标注册前需要快速查重", "we need fast clearance searches before filing trademarks for clients", "专利与商标数据", "Business Services,Advertising"),
        _problem("员工知识库问答", "a knowledge-base assistant for staff", "tool,model", "知识库,大模型,RAG", "新员工培训周期长，同样的问题反复被问", "new staff take long to train and ask the same questions again and again", "企业知识库问答助手|文本向量与语义检索模型"),
        _problem("营销文案生成", "marketing copywriting", "model,tool", "营销,文案,大模型,AIGC", "每月要为 30 多个客户写推广文案", "we write campaign copy for over 30 clients a month", "通用大模型 API", "Advertising,Media"),
        _problem("短视频配音", "voice-overs for short videos", "model,api", "配音,语音合成,TTS,视频", "每天剪十几条短视频，请配音员又贵又慢", "we cut a dozen short videos a day and voice actors are slow and expensive", "语音合成 TTS 模型", "Media,Advertising"),
        _problem("视频字幕生成", "subtitles for our videos", "api,model", "字幕,语音识别,ASR,视频", "视频上线前手工打字幕要花几个小时", "typing subtitles by hand takes hours before a video goes out", "语音转写 ASR API", "Media"),
        _problem("检测委托单录入", "OCR for sample forms and test reports", "api", "OCR,表格,LIMS,单据", "客户送检单和仪器打印的报告要人工录入 LIMS", "sample submission forms and instrument printouts are typed into our LIMS by hand", "表格与单据通用识别", "Testing"),
        _problem("仿真计算算力", "computing power for simulation work", "compute", "仿真,CAE,HPC,算力", "客户要求做结构和疲劳仿真，自有工作站算不动", "clients ask for stress and fatigue simulations our workstations cannot handle", "HPC 仿真计算集群", "Testing"),
        _problem("模型训练算力", "GPU capacity for model training", "compute", "GPU,训练,算力", "为客户训练视觉模型，自有显卡排队严重", "we train vision models for clients and our own GPUs are always busy", "GPU 训练集群", "Software"),
        _problem("岗位与薪资数据", "job and pay data for our clients", "data", "招聘,就业,技能,薪资", "客户岗位要求变化快，缺少各地岗位和薪资数据", "clients' hiring needs change fast and we lack regional job and pay data", "职业技能岗位需求数据", "HR Services"),
        _problem("上门预约提醒", "booking reminders for home visits", "api,tool", "预约,消息提醒,上门服务", "客户常忘记预约时间，师傅上门扑空", "customers forget bookings and our technicians arrive to locked doors", "会员营销消息触达", "Home Services"),
        _problem("上门路线规划", "route planning for our technicians", "tool", "路径规划,派单,上门服务", "十几位师傅每天跑遍全城，派单和路线全靠人工", "a dozen technicians cross the city every day and jobs are assigned by hand", "车辆路径优化工具", "Home Services"),
    ],
    "general": [
        _problem("增值税发票识别与录入", "VAT invoice OCR and entry", "api,tool", "OCR,发票,财务", "财务每月手工录入上千张发票", "our accountant types in over a thousand invoices a month", "增值税发票 OCR API|票据智能归档工具"),
        _problem("智能记账报税", "bookkeeping and tax filing", "tool", "记账,报税,财务", "代账公司服务慢，报表经常延迟", "our outsourced bookkeeper is slow and statements are often late", "智能记账报税"),
        _problem("网站与服务器安全检测", "a security check of our website and servers", "tool,expertise", "网络安全,漏洞,security", "官网被挂过一次黑链，担心再出问题", "our website was defaced once and we worry it will happen again", "网站漏洞扫描"),
        _problem("云服务器与数据备份", "cloud servers and backups", "compute", "云计算,备份,backup,cloud", "服务器还放在办公室，没有异地备份", "our server sits in the office with no off-site backup", "中小企业上云套餐|东数西算冷数据存储"),
        _problem("惠企政策与补贴匹配", "support policies and subsidies for our firm", "api,expertise", "政策,补贴", "不清楚能申请哪些专精特新和数字化补贴", "we do not know which specialised-SME and digitalisation subsidies we qualify for", "惠企政策匹配 API"),
        _problem("大模型应用试点", "a first pilot with a large language model", "model,expertise", "大模型,AI,试点", "想用大模型提升效率，但不知道从哪个场景开始", "we want to use an LLM but do not know which task to start with", "AI 应用落地咨询|通用大模型 API"),
        _problem("员工数字技能培训", "digital skills training for staff", "expertise,tool", "培训,数字技能", "员工对数据分析和 AI 工具不熟悉", "our staff are new to data analysis and AI tools", "数字技能培训课程定制"),
        _problem("应收账款融资", "financing against receivables", "api,expertise", "供应链金融,融资,应收账款", "大客户账期 90 天以上，现金流紧张", "big customers pay after 90 days or more and cash is tight", "应收账款确权与融资", industries="manufacturing,trade,logistics,construction,agriculture"),
        _problem("客服录音转写与质检", "call transcription and quality checks", "api,model", "语音识别,ASR,客服,质检", "每天上百通客服电话，质检只能抽查 2%", "we take hundreds of calls a day and can review only 2% of them", "语音转写 ASR API", industries="trade,logistics,finance,business_services,hospitality,resident_services"),
        _problem("数据安全合规自查", "a data-security compliance review", "expertise", "数据安全,合规", "客户开始要求我们提供数据安全承诺", "customers now ask us for data-security commitments", "数据安全合规评估"),
        _problem("合同审查助手", "contract review", "tool,model", "合同,合同审查,法务", "没有专职法务，合同风险靠老板把关", "we have no in-house lawyer and the owner reviews every contract", "合同智能审查"),
        _problem("出海本地化", "localisation for overseas markets", "expertise,model", "出海,翻译,localisation", "准备进入东南亚市场，产品资料需要本地化", "we are entering Southeast Asia and our product material needs localising", "出海合规与本地化|多语种机器翻译模型", industries="manufacturing,trade,information_technology,culture"),
    ],
}  # fmt: skip
# Which problem list an SME of each industry draws from (besides "general");
# a problem's sectors say which of the list's firms have it.
INDUSTRY_PROBLEMS = {
    Industry.MANUFACTURING: "manufacturing", Industry.TRADE: "trade", Industry.LOGISTICS: "logistics",
    Industry.AGRICULTURE: "agriculture", Industry.HOSPITALITY: "hospitality", Industry.HEALTH: "health",
    Industry.EDUCATION: "education", Industry.FINANCE: "finance", Industry.CONSTRUCTION: "construction",
    Industry.BUSINESS_SERVICES: "business_services", Industry.INFORMATION_TECHNOLOGY: "business_services",
    Industry.CULTURE: "business_services", Industry.ENVIRONMENT: "environment", Industry.UTILITIES: "energy",
    Industry.RESEARCH: "business_services", Industry.RESIDENT_SERVICES: "business_services",
}  # fmt: skip


def problem_suits(problem: Problem, industry: str, sector: Sector | None) -> bool:
    """Whether a firm of this industry and sector has this problem (given it
    draws from the problem's list)."""
    if problem.industries and industry not in problem.industries:
        return False
    return not problem.sectors or (sector is not None and sector.en_name in problem.sectors)


# --- phrases -----------------------------------------------------------------

KIND_ZH = {
    CapabilityKind.API: "API 接口",
    CapabilityKind.COMPUTE: "算力",
    CapabilityKind.DATA: "数据",
    CapabilityKind.MODEL: "模型",
    CapabilityKind.TOOL: "工具",
    CapabilityKind.EXPERTISE: "专家服务",
}
KIND_EN = {CapabilityKind.API: "an API", CapabilityKind.COMPUTE: "computing power", CapabilityKind.DATA: "data", CapabilityKind.MODEL: "a model", CapabilityKind.TOOL: "a tool", CapabilityKind.EXPERTISE: "expert help"}  # fmt: skip
TITLE_SUFFIX_ZH = {
    CapabilityKind.API: ["", "", "（标准版）", "（高并发版）"], CapabilityKind.COMPUTE: ["", "（包月）", "（按量）"],
    CapabilityKind.DATA: ["", "（月度更新）", "（含历史数据）"], CapabilityKind.MODEL: ["", "（可微调）", "（私有化部署版）"],
    CapabilityKind.TOOL: ["", "（SaaS 版）", "（中小企业版）"], CapabilityKind.EXPERTISE: ["", "（试点包）", "（专家团队）"],
}  # fmt: skip
TITLE_SUFFIX_EN = {
    CapabilityKind.API: ["", "", " (standard)", " (high volume)"], CapabilityKind.COMPUTE: ["", " (monthly)", " (pay as you go)"],
    CapabilityKind.DATA: ["", " (monthly updates)", " (with history)"], CapabilityKind.MODEL: ["", " (fine-tunable)", " (on-premises edition)"],
    CapabilityKind.TOOL: ["", " (SaaS)", " for SMEs"], CapabilityKind.EXPERTISE: ["", " (pilot package)", " (specialist team)"],
}  # fmt: skip
PITCH = {
    CapabilityKind.API: ("标准 RESTful 接口，附 SDK 和沙箱，当天即可接入。", "REST API with SDKs and a sandbox; most teams are live the same day."),
    CapabilityKind.COMPUTE: ("按小时或包月使用，审核通过后分钟级交付。", "By the hour or by the month, ready minutes after approval."),
    CapabilityKind.DATA: ("附数据字典和样例数据，字段可按需定制。", "Comes with a data dictionary and samples; fields can be tailored."),
    CapabilityKind.MODEL: ("支持在线调用和私有化部署，可用自有数据微调。", "Call it online or deploy it on your premises; fine-tune it on your own data."),
    CapabilityKind.TOOL: ("开箱即用的 SaaS，免安装，手机上也能用。", "Ready-to-use SaaS: nothing to install, works on mobile."),
    CapabilityKind.EXPERTISE: ("由平台资深专家团队按项目交付。", "Delivered as a project by the platform's senior specialists."),
}  # fmt: skip
DELIVERY = {
    CapabilityKind.API: ("提供 Python、Java 和 Go SDK，平均响应时间低于 300 毫秒，并提供调用量看板。", "SDKs for Python, Java and Go; typical response under 300 ms; a usage dashboard shows every call."),
    CapabilityKind.COMPUTE: ("提供 Jupyter、SSH 和容器镜像三种使用方式，数据盘可按需扩容。", "Use it through Jupyter, SSH or container images; data disks grow as you need."),
    CapabilityKind.DATA: ("提供 CSV、Parquet 下载和 API 三种交付方式，附字段说明和质量报告。", "Delivered as CSV, Parquet or through an API, with field notes and a quality report."),
    CapabilityKind.MODEL: ("提供在线推理接口和离线部署包，可基于企业数据做增量训练，训练数据不出企业。", "Online inference or an offline package; incremental training on your data, which never leaves your premises."),
    CapabilityKind.TOOL: ("支持与钉钉、企业微信和主流 ERP 对接，数据每日备份。", "Connects to DingTalk, WeCom and the common ERP systems; data is backed up daily."),
    CapabilityKind.EXPERTISE: ("通常 2–6 周交付，包含调研、方案、试点和培训四个阶段。", "Usually two to six weeks: survey, design, pilot and training."),
}  # fmt: skip
ACCESS_TEXT = {
    AccessModel.OPEN: ("免费开放，注册后即可使用。", "Free and open: sign up and use it."),
    AccessModel.FREE_QUOTA: ("每月提供免费额度，超出部分按量计费。", "A free monthly quota; usage above it is billed."),
    AccessModel.PAID: ("按月订阅，价格随用量阶梯下降。", "Monthly subscription, cheaper per unit as usage grows."),
    AccessModel.REVENUE_SHARE: ("不收固定费用，按带来的新增收入分成。", "No fixed fee: we share the extra revenue it brings."),
    AccessModel.BY_APPLICATION: ("提交申请并通过审核后开通，价格视场景商定。", "Apply first; once approved, the price is agreed for your use case."),
}  # fmt: skip
CLOSING = [
    ("首次接入的中小企业可获得一对一技术支持。", "First-time SME users get one-to-one technical support."),
    (
        "已服务长三角、珠三角的数百家中小企业。",
        "Already used by hundreds of SMEs in the Yangtze and Pearl River deltas.",
    ),
    ("可开具增值税专用发票。", "VAT special invoices available."),
    ("欢迎先申请试用，效果满意再签约。", "Try it first; sign up when you are happy with the results."),
]
TERMS = [
    (
        "仅限申请时说明的用途，不得转售或向第三方提供。",
        "Use only for the purpose stated in your application; do not resell or pass on.",
    ),
    (
        "不得用于识别特定自然人，或与其他数据结合进行再识别。",
        "Do not use it to identify individuals, alone or combined with other data.",
    ),
    (
        "合作结束后 30 日内删除全部副本，并书面确认。",
        "Delete every copy within 30 days after the agreement ends and confirm in writing.",
    ),
    ("平台可对使用情况进行合规抽查，使用方应予配合。", "The platform may audit your use; you will cooperate."),
    ("因违反本条款造成的损失由使用方承担。", "You are liable for losses caused by breaking these terms."),
]
QUESTIONS = [
    (
        "请简要说明使用场景、预计用量和计划上线时间。",
        "Describe your use case, expected volume and when you plan to go live.",
    ),
    ("数据将用于什么业务？计划保存多长时间？", "What will you use the data for, and how long will you keep it?"),
    ("贵司目前使用哪些 ERP 或 MES 系统？", "Which ERP or MES systems do you use today?"),
    ("希望解决什么问题？用什么指标衡量效果？", "What problem should it solve, and how will you measure success?"),
]
EXPECTATIONS = [
    ("最好能在一个月内完成试点", "ideally with a pilot running within a month"),
    ("最好支持私有化部署，数据不出公司", "preferably on our premises, so data stays in-house"),
    ("并且需要能和现有的 ERP 系统对接", "and it must connect to our ERP"),
    ("有同行业落地案例的优先", "and we prefer providers with cases in our industry"),
    ("最好先按量付费、小规模试用", "starting small and paying by use"),
    ("并提供操作培训和售后支持", "with training and after-sales support"),
]
# A need's title says it is wanted, never only what (that would read as an offer).
NEED_TITLE_ZH = ["寻找{p}方案", "{city}{noun}寻求{p}", "求推荐：{p}", "{p}需求"]
NEED_TITLE_EN = ["Looking for {p}", "A {city} {noun} seeks {p}", "Seeking a partner for {p}", "Need help with {p}"]
REASONS = {
    (Capability, "request_changes"): [
        ("标题过于笼统，请写明具体能力和适用对象。", "The title is too general: say what exactly is offered and to whom."),
        ("请补充配额和服务等级，方便中小企业比较。", "Add the quota and service level so SMEs can compare offers."),
        ("价格区间与价格说明不一致，请核对。", "The price range and the price notes disagree; please check them."),
    ],
    (Capability, "reject"): [
        ("涉及个人信息处理，但未说明合法性基础和授权链路。", "It processes personal information but does not say on what legal basis."),
        ("这是第三方产品的转售，不属于平台自有能力。", "This resells a third party's product; list your own capabilities only."),
    ],
    (Capability, "suspend"): [
        ("多家企业反馈服务长期不可用，恢复后可申请重新上架。", "Several SMEs report the service has been down for weeks; ask us to reinstate it once it is back."),
        ("服务条款含有不公平的排他条款，修改前暂停展示。", "Its terms include an unfair exclusivity clause; hidden until they change."),
    ],
    (Need, "request_changes"): [
        ("请删除描述中的手机号和微信号，联系请通过平台消息。", "Please remove the phone number from the description; talk through Tandem messages."),
        ("预算与描述的规模不一致，请核对。", "The budget does not match the scale described; please check it."),
        ("请写明希望解决的具体问题，方便平台匹配。", "Say which problem you want solved so platforms can match it."),
    ],
    (Need, "reject"): [
        ("这是招聘信息，不属于企业需求。", "This is a job advert, not a business need."),
        ("与贵司已发布的需求重复。", "This duplicates a need you have already published."),
    ],
    (Need, "suspend"): [
        ("收到举报：需求中推广外部网站，核实期间暂停展示。", "Reported for promoting an outside website; hidden while we check."),
    ],
}  # fmt: skip
# Said only about data sets, on top of the reasons above.
DATA_REASONS = {
    "request_changes": [("请补充数据来源、更新频率和授权范围。", "Please add where the data comes from, how often it is updated and what the licence allows.")],
    "suspend": [("收到关于数据授权的投诉，核实期间暂停展示。", "Suspended while we look into a complaint about the data licence.")],
}  # fmt: skip

# --- platforms -----------------------------------------------------------------


@dataclass(frozen=True)
class Platform:
    number: int  # part of the credit code; 0 for the platforms seed_demo creates
    name: str
    short_zh: str
    short_en: str
    language: str
    province: str
    industry: str
    domains: tuple[str, ...]
    listings: int
    description: str = ""
    size_band: str = SizeBand.LARGE


# The two platforms seed_demo creates come first, found by their credit code body.
SEED_PLATFORMS = {
    "91330106MA2HDM001": Platform(0, "", "云桥", "Cloudbridge", EN, Province.ZHEJIANG, "", ("documents", "logistics", "compute"), 18),
    "91440300MA5GDM002": Platform(0, "", "凌云算力", "Lingyun", EN, Province.GUANGDONG, "", ("compute", "ai_models", "manufacturing"), 17),
}  # fmt: skip
PLATFORMS = [
    Platform(1, "北京星衡数智科技有限公司", "星衡数智", "Xingheng", ZH, Province.BEIJING, Industry.INFORMATION_TECHNOLOGY, ("public_data", "ai_models", "advice"), 15, "开放公共数据产品、大模型和数据合规服务，助力中小企业用好数据要素。"),
    Platform(2, "Shanghai Tideline Supply Chain Technology Co., Ltd.", "潮线", "Tideline", EN, Province.SHANGHAI, Industry.LOGISTICS, ("logistics", "retail"), 15, "Supply-chain cloud: tracking, routing, freight data and retail forecasting for small shippers and shops."),
    Platform(3, "广州青禾电商服务有限公司", "青禾", "Qinghe", ZH, Province.GUANGDONG, Industry.TRADE, ("retail", "ai_models"), 13, "电商平台服务商，向中小商家开放商品图生成、直播脚本、会员营销和消费数据能力。"),
    Platform(4, "Wuhan Optivale Industrial Internet Co., Ltd.", "光谷智造", "Optivale", EN, Province.HUBEI, Industry.MANUFACTURING, ("manufacturing", "advice"), 14, "Industrial internet platform: machine connectivity, MES, scheduling, vision inspection and lean consulting."),
    Platform(5, "贵州算谷数据中心有限公司", "算谷", "Suangu", ZH, Province.GUIZHOU, Industry.INFORMATION_TECHNOLOGY, ("compute",), 9, "西部绿色数据中心，为中小企业提供 GPU 训练、推理、HPC 和低成本归档存储。"),
    Platform(6, "Hefei Sonora Speech Intelligence Co., Ltd.", "声纳智能", "Sonora", EN, Province.ANHUI, Industry.INFORMATION_TECHNOLOGY, ("ai_models", "documents", "education"), 16, "Speech and language AI: transcription, translation, text-to-speech, essay marking and chatbots."),
    Platform(7, "成都蜀信金融科技有限公司", "蜀信", "Shuxin", ZH, Province.SICHUAN, Industry.FINANCE, ("finance", "documents"), 13, "面向小微企业的金融科技平台：信用评估、票据识别、对账和供应链金融。"),
    Platform(8, "Xi'an Qinling Agritech Cloud Co., Ltd.", "秦岭农云", "Qinling Agritech", EN, Province.SHAANXI, Industry.AGRICULTURE, ("agriculture", "public_data"), 12, "Agricultural data cloud: weather, soil, prices, pest identification and remote sensing for farms and co-operatives."),
    Platform(9, "杭州禾康医疗数据科技有限公司", "禾康", "Hekang", ZH, Province.ZHEJIANG, Industry.HEALTH, ("health", "advice"), 10, "医疗健康数据平台，开放影像辅助阅片、用药知识库和诊所数字化工具。", SizeBand.MEDIUM),
    Platform(10, "青岛海瀚港航数据有限公司", "海瀚", "Haihan", ZH, Province.SHANDONG, Industry.LOGISTICS, ("logistics", "public_data", "finance"), 15, "港航物流数据平台：船期、吞吐量、运价和跨境单证服务。"),
]  # fmt: skip
