//! What leaders write: visit summaries, residents' requests, resolutions and feedback.
//! The requests follow the article's list (道路设桩、建房审批、拆迁征地、低保申请…).

use crate::domain::IssueCategory;

/// Summaries of an ordinary door visit to a family.
pub const DOOR_FAMILY: &[&str] = &[
    "上门走访，了解家庭近况，无特殊诉求",
    "入户走访，宣传防范电信诈骗知识",
    "上门走访，老人身体状况良好，叮嘱注意防暑",
    "入户核对一户一档信息，家庭成员无变化",
    "上门送达医保缴费通知，讲解缴费方式",
    "宣传垃圾分类，检查门前三包落实情况",
    "走访了解子女就业和上学情况",
    "提醒做好防台防汛准备，检查房屋安全",
    "宣传秸秆禁烧和农村消防安全",
    "上门走访，户主在厂里上班，与家属交谈",
    "走访了解农作物种植和收成情况",
    "上门宣传养老保险政策",
    "入户走访，反映邻里和睦，无诉求",
    "上门走访，了解老人慢性病用药情况",
];

/// Summaries of a door visit to an enterprise.
pub const DOOR_ENTERPRISE: &[&str] = &[
    "走访企业，了解生产经营和订单情况",
    "上门检查安全生产，提醒消防通道畅通",
    "走访企业负责人，宣传惠企政策",
    "了解企业用工情况，登记招工需求",
    "走访企业，核对员工住宿和外来人员信息",
    "宣传企业环保和危废处置规定",
];

pub const PHONE: &[&str] = &[
    "电话联系，询问近况，家中一切正常",
    "电话回访上次反映的问题，对方表示满意",
    "电话提醒按时缴纳医保",
    "电话联系，预约下周上门时间",
    "电话询问老人身体情况",
];

pub const GROUP: &[&str] = &[
    "微信群内沟通，通知本周走访时间",
    "群内推送最新政策，户主已回复收到",
    "群内转发防诈骗提醒，已确认阅读",
    "通过微信群了解近况，无诉求",
];

pub const OTHER: &[&str] = &["在村委会碰面交谈，了解近况", "在文化礼堂活动时交流，无诉求"];

/// The acquaintance visit (认亲): the information form is filled in.
pub const ACQUAINTANCE: &[&str] = &[
    "认亲走访，填写信息采集表，留下微网格长联系方式",
    "认亲上门，介绍网格连心、组团服务，完成一户一档登记",
    "首次上门认亲，核实家庭成员和联系方式",
];

/// Appended when the household joins the micro-grid's group on this visit.
pub const JOINED: &str = "，已扫码加入微网格连心群";

/// A resident's request of a category, and how it was settled.
pub struct Request {
    pub description: &'static str,
    pub resolution: &'static str,
}

const ROAD: &[Request] = &[
    Request {
        description: "组里路口需要设置道路桩，防止大货车驶入压坏路面",
        resolution: "已联系交通办完成设桩",
    },
    Request {
        description: "门前道路破损积水，希望尽快修补",
        resolution: "已安排村里修补路面",
    },
    Request {
        description: "村道路灯不亮，夜间出行不便",
        resolution: "已报修，路灯恢复照明",
    },
    Request {
        description: "道路设桩位置影响农机通行，希望调整",
        resolution: "已协调调整桩位，农机可正常通行",
    },
    Request {
        description: "桥边缺少护栏，老人孩子经过有危险",
        resolution: "已加装护栏",
    },
];

const HOUSING: &[Request] = &[
    Request {
        description: "申请建房审批，咨询办理流程和所需材料",
        resolution: "已协助准备材料并提交，建房审批已通过",
    },
    Request {
        description: "老房屋漏雨，申请危房鉴定和改造",
        resolution: "已完成危房鉴定，纳入改造计划",
    },
    Request {
        description: "翻建住房审批进度较慢，希望帮助查询",
        resolution: "已查询并催办，审批已办结",
    },
    Request {
        description: "咨询农房改造集聚安置政策",
        resolution: "已上门讲解安置政策，户主表示清楚",
    },
];

const LAND: &[Request] = &[
    Request {
        description: "咨询拆迁征地补偿标准",
        resolution: "已请国土所工作人员上门解释补偿标准",
    },
    Request {
        description: "承包地被征用后补偿款尚未到账",
        resolution: "已协调相关部门，补偿款已发放",
    },
    Request {
        description: "土地流转合同到期，续签有疑问",
        resolution: "已协助与流转方续签合同",
    },
    Request {
        description: "宅基地边界与邻居有争议",
        resolution: "已会同村干部现场调解，双方达成一致",
    },
];

const WELFARE: &[Request] = &[
    Request {
        description: "家庭收入困难，申请低保",
        resolution: "已协助办理低保申请，审批通过",
    },
    Request {
        description: "咨询残疾人两项补贴申领",
        resolution: "已协助提交补贴申请，补贴已发放",
    },
    Request {
        description: "独居老人申请居家养老上门服务",
        resolution: "已对接居家养老服务中心，每周上门服务",
    },
    Request {
        description: "医保报销材料不清楚，需要协助",
        resolution: "已协助整理材料完成报销",
    },
    Request {
        description: "因病致困，申请临时救助",
        resolution: "已办理临时救助",
    },
];

const OTHER_REQUESTS: &[Request] = &[
    Request {
        description: "邻里之间因噪音产生纠纷，需要调解",
        resolution: "已上门调解，双方和解",
    },
    Request {
        description: "河道里垃圾较多，希望清理",
        resolution: "已通知保洁员清理河道",
    },
    Request {
        description: "垃圾桶数量不够，经常满溢",
        resolution: "已增设垃圾桶",
    },
    Request {
        description: "希望为老年人开展防诈骗讲座",
        resolution: "已在文化礼堂开展防诈骗讲座",
    },
    Request {
        description: "企业招工困难，希望帮助对接用工",
        resolution: "已对接镇劳动保障所发布招聘信息",
    },
];

pub fn requests(category: IssueCategory) -> &'static [Request] {
    match category {
        IssueCategory::Road => ROAD,
        IssueCategory::Housing => HOUSING,
        IssueCategory::Land => LAND,
        IssueCategory::Welfare => WELFARE,
        IssueCategory::Other => OTHER_REQUESTS,
    }
}

pub const ESCALATION_NOTES: &[&str] = &[
    "需镇相关部门协调处理，已提交镇网格办",
    "涉及多个部门，微网格内无法解决，上报镇里",
    "需要镇里审批，已上报",
];

pub const REOPEN_NOTES: &[&str] = &["群众反映问题仍未彻底解决", "回访发现问题反复，重新处理"];

pub const SATISFIED_COMMENTS: &[&str] = &["很满意，感谢网格长", "解决得很及时", "办事效率高"];

pub const UNSATISFIED_COMMENTS: &[&str] = &["处理时间太长", "问题只解决了一部分"];

/// Notes some households carry in their dossier.
pub const HOUSEHOLD_NOTES: &[&str] = &[
    "子女在外地工作，老人在家",
    "外来租户较多",
    "户主白天在厂里上班，饭点在家",
    "家中有在读大学生",
    "经营家庭农场",
    "老人耳背，需大声交流",
];
