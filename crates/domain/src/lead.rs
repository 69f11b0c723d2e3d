//! Leads (线索): statuses and channels.

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident, $field:literal { $($var:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($var),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $code),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$var => $label),+ } }
            /// Accepts the code or the Chinese label.
            pub fn parse(s: &str) -> Result<Self, crate::Invalid> {
                let t = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == t || v.label() == t).ok_or_else(|| {
                    let all: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    crate::Invalid::new($field, format!("“{t}”不是可用的取值；可用：{}", all.join("、")))
                })
            }
        }

        /// The code, as stored and as the API writes it.
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use labelled_enum;

labelled_enum!(
    /// Where a lead stands.
    LeadStatus, "status" {
        PendingReview = "pending_review" / "待预审",
        InReview = "in_review" / "预审中",
        Admitted = "admitted" / "已入库",
        Rejected = "rejected" / "未通过",
        Merged = "merged" / "已合并",
    }
);

labelled_enum!(
    /// How a lead reached us.
    Channel, "channel" {
        Promoter = "promoter" / "自主招商",
        StationedOffice = "stationed_office" / "驻点招商",
        EnterpriseReferral = "enterprise_referral" / "以商招商",
        Association = "association" / "商会协会学会",
        ThirdParty = "third_party" / "第三方代理",
        Event = "event" / "活动招商",
    }
);
