//! The project and stage event file layouts (SPEC §3): one row per project, matched on
//! its code; one row per stage event, matched on project, phase, kind and date. An
//! export imports back unchanged.

use crate::ColumnSpec;
use crate::spec::column;

/// Columns of a project file, in template order.
pub const PROJECT_COLUMNS: &[ColumnSpec] = &[
    column!(
        "code",
        "项目代码",
        "Project code",
        true,
        "全国投资项目代码或内部代码",
        "National or internal project code"
    ),
    column!("name_zh", "项目名称", "Chinese name", true, "", ""),
    column!("name_en", "英文名称", "English name", false, "", ""),
    column!(
        "region_code",
        "建设地点区划代码",
        "Region code",
        true,
        "县级区划代码，如 330482",
        "County-level code, e.g. 330482"
    ),
    column!("park", "所在园区", "Park", false, "园区中文名称（须已登记）", "Chinese name of a registered park"),
    column!(
        "industry_code",
        "行业代码",
        "Industry code",
        false,
        "GB/T 4754-2017 制造业小类",
        "GB/T 4754-2017 manufacturing class"
    ),
    column!(
        "project_type",
        "项目类型",
        "Project type",
        false,
        "new / expansion / technological_transformation",
        "new / expansion / technological_transformation"
    ),
    column!(
        "capital_source",
        "资金来源",
        "Capital source",
        false,
        "domestic / foreign / hk_macao_taiwan",
        "domestic / foreign / hk_macao_taiwan"
    ),
    column!("source_country", "外资来源国（地区）", "Source country", false, "ISO 3166 代码", "ISO 3166 code"),
    column!("from_shanghai", "沪资项目", "From Shanghai", false, "是/否", "true/false"),
    column!("fortune_global_500", "世界500强投资", "Fortune Global 500", false, "是/否", "true/false"),
    column!("central_soe", "央企投资", "Central SOE", false, "是/否", "true/false"),
    column!("planned_total", "计划总投资", "Planned total", true, "以计划币种计", "In the planned currency"),
    column!("planned_fixed_assets", "其中固定资产投资", "Of which fixed assets", false, "", ""),
    column!("planned_equipment", "其中设备投资", "Of which equipment", false, "", ""),
    column!("planned_currency", "计划币种", "Planned currency", false, "默认 CNY", "Defaults to CNY"),
    column!("planned_start_on", "计划开工日期", "Planned start", false, "YYYY-MM-DD", "YYYY-MM-DD"),
    column!("planned_production_on", "计划投产日期", "Planned production", false, "YYYY-MM-DD", "YYYY-MM-DD"),
    column!(
        "investors",
        "投资企业及比例",
        "Investors and shares",
        true,
        "统一社会信用代码:比例%，多家用分号分隔；单一投资方可省略比例",
        "Credit code:share%, separated by semicolons; a sole investor needs no share"
    ),
    column!(
        "signed_on",
        "签约日期",
        "Signed on",
        true,
        "YYYY-MM-DD；已登记项目须与登记一致",
        "YYYY-MM-DD; must match for a registered project"
    ),
];

/// Columns of a stage event file, in template order.
pub const EVENT_COLUMNS: &[ColumnSpec] = &[
    column!("project_code", "项目代码", "Project code", true, "", ""),
    column!(
        "kind",
        "阶段事件",
        "Event",
        true,
        "signed / filed / started / in_production / completed / suspended / resumed / cancelled",
        "signed / filed / started / in_production / completed / suspended / resumed / cancelled"
    ),
    column!(
        "occurred_on",
        "发生日期",
        "Date",
        true,
        "YYYY-MM-DD，不早于上一事件",
        "YYYY-MM-DD, not before the last event"
    ),
    column!(
        "phase",
        "期次",
        "Phase",
        false,
        "默认当前期；增资为下一期",
        "The current phase by default; a capital increase is the next"
    ),
    column!("reason", "原因", "Reason", false, "退回阶段时必填", "Needed to go back a stage"),
    column!(
        "increment",
        "增资额（元）",
        "Increment (yuan)",
        false,
        "新一期签约时必填",
        "Needed for a new phase's signing"
    ),
];
