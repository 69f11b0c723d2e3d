//! The API's types of leads: what clients send and receive, mapped to and from app's.

use fenglai_app::leads as app;
use fenglai_domain::Yuan;
use serde::{Deserialize, Serialize};

fn yuan(y: Option<Yuan>) -> Option<i64> {
    y.map(|y| y.0)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lead {
    pub id: i64,
    pub company_name: String,
    pub uscc: Option<String>,
    pub industry_code: Option<String>,
    pub industry_name: Option<String>,
    /// GB/T 4754 section letter of the industry
    pub industry_section: Option<String>,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub planned_investment_yuan: Option<i64>,
    pub land_mu: Option<f64>,
    pub expected_jobs: Option<i64>,
    pub channel: Option<String>,
    pub reported_by: i64,
    pub reporter_name: String,
    pub reporting_unit_id: i64,
    pub reporting_unit_name: String,
    /// `YYYY-MM-DD`
    pub reported_date: String,
    /// pending_review, in_review, admitted, rejected, merged
    pub status: String,
    pub project_id: Option<i64>,
    /// the lead this one was merged into (status `merged`)
    pub merged_into: Option<i64>,
    /// 环评类别: 报告书, 报告表 or 登记表
    pub env_category: Option<String>,
    /// expected annual tax when in production
    pub expected_tax_yuan: Option<i64>,
    /// expected annual output value when in production
    pub expected_output_yuan: Option<i64>,
    /// expected annual energy use, tonnes of standard coal (吨标准煤)
    pub energy_tce: Option<f64>,
    /// power needed, kVA
    pub power_kva: Option<i64>,
    /// 世界500强, 中国500强, 央企, 上市公司 as codes: `fortune500,listed`
    #[serde(default)]
    pub investor_tags: String,
    pub created_at: String,
    pub updated_at: String,
    /// bumped by every write; an edit that names an older one is refused (409)
    #[serde(default)]
    pub version: i64,
}

impl From<fenglai_store::leads::Lead> for Lead {
    fn from(l: fenglai_store::leads::Lead) -> Lead {
        Lead {
            id: l.id,
            company_name: l.company_name,
            uscc: l.uscc.map(|u| u.as_str().to_string()),
            industry_code: l.industry_code,
            industry_name: l.industry_name,
            industry_section: l.industry_section,
            region_code: l.region_code,
            region_name: l.region_name,
            contact_name: l.contact_name,
            contact_phone: l.contact_phone,
            description: l.description,
            planned_investment_yuan: yuan(l.planned_investment_yuan),
            land_mu: l.land_mu,
            expected_jobs: l.expected_jobs,
            channel: l.channel.map(|c| c.as_str().into()),
            reported_by: l.reported_by,
            reporter_name: l.reporter_name,
            reporting_unit_id: l.reporting_unit_id,
            reporting_unit_name: l.reporting_unit_name,
            reported_date: l.reported_date.format("%Y-%m-%d").to_string(),
            status: l.status.as_str().into(),
            project_id: l.project_id,
            merged_into: l.merged_into,
            env_category: l.env_category,
            expected_tax_yuan: yuan(l.expected_tax_yuan),
            expected_output_yuan: yuan(l.expected_output_yuan),
            energy_tce: l.energy_tce,
            power_kva: l.power_kva,
            investor_tags: l.investor_tags,
            created_at: l.created_at.to_string(),
            updated_at: l.updated_at.to_string(),
            version: l.version,
        }
    }
}

/// A lead as reported. Only `company_name` is required.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadInput {
    pub company_name: String,
    pub uscc: Option<String>,
    /// GB/T 4754-2017 code, e.g. "3982"
    pub industry_code: Option<String>,
    /// GB/T 2260 code of the company's origin, e.g. "320500"
    pub region_code: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub planned_investment_yuan: Option<i64>,
    pub land_mu: Option<f64>,
    pub expected_jobs: Option<i64>,
    /// promoter, stationed_office, enterprise_referral, association, third_party, event
    pub channel: Option<String>,
    /// YYYY-MM-DD; defaults to today
    pub reported_date: Option<String>,
    /// 环评类别: 报告书, 报告表 or 登记表
    pub env_category: Option<String>,
    /// expected annual tax in production, yuan
    pub expected_tax_yuan: Option<i64>,
    /// expected annual output value in production, yuan
    pub expected_output_yuan: Option<i64>,
    /// expected annual energy use, tonnes of standard coal (吨标准煤)
    pub energy_tce: Option<f64>,
    /// power needed, kVA
    pub power_kva: Option<i64>,
    /// 世界500强, 中国500强, 央企, 上市公司 (codes or names, comma-separated)
    #[serde(default)]
    pub investor_tags: Option<String>,
}

impl From<LeadInput> for app::LeadInput {
    fn from(i: LeadInput) -> app::LeadInput {
        app::LeadInput {
            company_name: i.company_name,
            uscc: i.uscc,
            industry_code: i.industry_code,
            region_code: i.region_code,
            contact_name: i.contact_name,
            contact_phone: i.contact_phone,
            description: i.description,
            planned_investment_yuan: i.planned_investment_yuan,
            land_mu: i.land_mu,
            expected_jobs: i.expected_jobs,
            channel: i.channel,
            reported_date: i.reported_date,
            env_category: i.env_category,
            expected_tax_yuan: i.expected_tax_yuan,
            expected_output_yuan: i.expected_output_yuan,
            energy_tce: i.energy_tce,
            power_kva: i.power_kva,
            investor_tags: i.investor_tags,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagsInput {
    /// 世界500强, 中国500强, 央企, 上市公司 (codes or names, comma-separated; empty clears)
    pub investor_tags: String,
    /// the version the change is based on (as read); a stale one answers 409 and changes
    /// nothing; none applies the change over whatever is there
    pub version: Option<i64>,
}

impl From<TagsInput> for app::TagsInput {
    fn from(i: TagsInput) -> app::TagsInput {
        app::TagsInput {
            investor_tags: i.investor_tags,
            version: i.version,
        }
    }
}

/// Query parameters of the lead list, as they arrive.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// company-name fragment or a whole 统一社会信用代码
    pub q: Option<String>,
    pub status: Option<String>,
    /// section letter or code prefix
    pub industry: Option<String>,
    /// reporting unit (with its subtree)
    pub unit_id: Option<String>,
    /// reported on or after, YYYY-MM-DD
    pub from: Option<String>,
    /// reported on or before, YYYY-MM-DD
    pub to: Option<String>,
    /// -reported_date (default), reported_date, -planned_investment, company_name
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl From<ListQuery> for app::ListQuery {
    fn from(q: ListQuery) -> app::ListQuery {
        app::ListQuery {
            q: q.q,
            status: q.status,
            industry: q.industry,
            unit_id: q.unit_id,
            from: q.from,
            to: q.to,
            sort: q.sort,
            page: q.page,
            per_page: q.per_page,
        }
    }
}

/// Admitting a lead into the pool (入库) creates its project in `negotiating`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdmitInput {
    /// the receiving park (a unit of kind park)
    pub park_id: Option<i64>,
    /// YYYY-MM-DD; defaults to today
    pub date: Option<String>,
    /// project name; defaults to the company name + 项目
    pub name: Option<String>,
    pub responsible_user_id: Option<i64>,
    /// 环评类别 (报告书, 报告表, 登记表), recorded on the lead if it lacks one
    pub env_category: Option<String>,
}

impl From<AdmitInput> for app::AdmitInput {
    fn from(i: AdmitInput) -> app::AdmitInput {
        app::AdmitInput {
            park_id: i.park_id,
            date: i.date,
            name: i.name,
            responsible_user_id: i.responsible_user_id,
            env_category: i.env_category,
        }
    }
}

/// Counts by reporting unit (for the dashboard), within scope.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitCount {
    pub unit_id: i64,
    pub unit_name: String,
    pub leads: i64,
    pub admitted: i64,
}

impl From<fenglai_store::leads::UnitCount> for UnitCount {
    fn from(c: fenglai_store::leads::UnitCount) -> UnitCount {
        UnitCount {
            unit_id: c.unit_id,
            unit_name: c.unit_name,
            leads: c.leads,
            admitted: c.admitted,
        }
    }
}
