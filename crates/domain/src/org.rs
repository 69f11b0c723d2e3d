//! Units and roles.

use crate::lead::labelled_enum;

labelled_enum!(
    /// A user's role; what it may see is decided in the service layer.
    Role, "role" {
        Admin = "admin" / "管理员",
        Leader = "leader" / "领导",
        Promoter = "promoter" / "招商人",
        Informant = "informant" / "信息员",
        Reviewer = "reviewer" / "预审专家",
        Receiver = "receiver" / "承接人",
        Collaborator = "collaborator" / "协同人",
    }
);

labelled_enum!(
    /// A unit in the organisation tree.
    UnitKind, "kind" {
        Region = "region" / "市/区域",
        County = "county" / "县区",
        Park = "park" / "园区",
        Department = "department" / "部门",
        Office = "office" / "驻外机构",
        Channel = "channel" / "商协会/第三方",
    }
);

impl UnitKind {
    /// A unit's jurisdiction is the nearest unit of one of these kinds at or above it.
    pub fn is_jurisdiction(self) -> bool {
        matches!(self, UnitKind::Region | UnitKind::County | UnitKind::Park)
    }
}

impl Role {
    /// Sees every record, whatever the unit.
    pub fn sees_all(self) -> bool {
        matches!(self, Role::Admin | Role::Leader)
    }
    pub fn may_report_leads(self) -> bool {
        !matches!(self, Role::Leader | Role::Collaborator)
    }
    /// May admit leads and move projects through their stages.
    pub fn may_manage_projects(self) -> bool {
        matches!(self, Role::Admin | Role::Promoter | Role::Receiver)
    }
}

labelled_enum!(
    /// What a stored session is: a browser's, or a bearer token of the API.
    SessionKind, "kind" {
        Web = "web" / "网页",
        Api = "api" / "API 令牌",
    }
);

labelled_enum!(
    /// A unit's group robot: whose webhook it is.
    WebhookKind, "kind" {
        Wecom = "wecom" / "企业微信",
        Dingtalk = "dingtalk" / "钉钉",
    }
);

labelled_enum!(
    /// What a queued job does (the worker runs each kind).
    JobKind, "kind" {
        Webhook = "webhook" / "群机器人消息",
        Daily = "daily" / "每日计算",
        Email = "email" / "邮件",
    }
);
