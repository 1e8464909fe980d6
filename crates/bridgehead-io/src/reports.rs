//! The monthly report file layout (SPEC §3): one row per project and month.

use crate::ColumnSpec;
use crate::spec::column;

/// Columns of a monthly report file, in template order.
pub const REPORT_COLUMNS: &[ColumnSpec] = &[
    column!(
        "project_code",
        "项目代码",
        "Project code",
        true,
        "全国投资项目代码或内部代码",
        "National or internal project code"
    ),
    column!("period", "月份", "Month", true, "YYYY-MM，如 2023-06", "YYYY-MM, e.g. 2023-06"),
    column!("completed", "本月完成投资", "Completed in month", true, "元，最多两位小数", "Yuan, up to two decimals"),
    column!("equipment", "其中设备购置", "Of which equipment", false, "元", "Yuan"),
    column!("construction", "其中建筑安装", "Of which construction", false, "元", "Yuan"),
    column!("employees", "从业人数", "Employees", false, "", ""),
    column!("status_note", "进度说明", "Status note", false, "", ""),
    column!("warning_note", "预警说明", "Warning note", false, "出现预警时的说明", "Explains warnings"),
];
