//! The statistics file layouts: the official monthly table (written) and external
//! indicator files (read).

use crate::ColumnSpec;
use crate::spec::column;

/// Columns of the official table.
pub const TABLE_COLUMNS: &[ColumnSpec] = &[
    column!("region", "地区", "Region", true, "", ""),
    column!("cumulative", "累计（亿元）", "Cumulative (100 million yuan)", true, "", ""),
    column!("growth", "同比增长（%）", "Growth (%)", false, "", ""),
    column!("share", "占比（%）", "Share (%)", false, "", ""),
    column!("rank", "增速位次", "Rank", false, "", ""),
];

/// Columns of a count of projects in a window (one line a row).
pub const COUNT_COLUMNS: &[ColumnSpec] = &[
    column!("line", "分组", "Line", true, "", ""),
    column!("projects", "项目数", "Projects", true, "", ""),
    column!("planned", "计划总投资（亿元）", "Planned total (100 million yuan)", true, "", ""),
];

/// Columns of an external indicator file (one published figure a row).
pub const INDICATOR_COLUMNS: &[ColumnSpec] = &[
    column!(
        "indicator",
        "指标",
        "Indicator",
        true,
        "gdp / industrial_value_added / fixed_asset_investment / foreign_capital_used",
        "gdp / industrial_value_added / fixed_asset_investment / foreign_capital_used"
    ),
    column!("region_code", "区划代码", "Region code", true, "", ""),
    column!("period", "期别", "Period", true, "YYYY-MM，表示1月至该月累计", "YYYY-MM: January to that month"),
    column!("value", "数值", "Value", false, "元；实际使用外资为美元", "Yuan; US dollars for foreign capital"),
    column!(
        "growth",
        "同比增长（%）",
        "Growth (%)",
        false,
        "官方公布的可比价增速",
        "The official growth at comparable prices"
    ),
    column!("source", "来源", "Source", true, "", ""),
];
