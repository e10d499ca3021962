//! China's national holidays and make-up working days (调休) as the State Council publishes
//! them each November for the next year: 国务院办公厅关于2026年部分节假日安排的通知 of
//! 4 November 2025. A township's calendar starts from these (the demo township is seeded
//! with them; `lianxin calendar-import` loads a year from a file) and adds its own.
//!
//! Every day of each holiday is listed, weekends included, so that the calendar shows the
//! holiday as the notice reads; only the weekdays among them change the count.

/// `(date, worked, note)` for 2026.
pub const CHINA_2026: &[(&str, bool, &str)] = &[
    ("2026-01-01", false, "元旦"),
    ("2026-01-02", false, "元旦"),
    ("2026-01-03", false, "元旦"),
    ("2026-01-04", true, "元旦调休上班"),
    ("2026-02-14", true, "春节调休上班"),
    ("2026-02-15", false, "春节"),
    ("2026-02-16", false, "春节"),
    ("2026-02-17", false, "春节"),
    ("2026-02-18", false, "春节"),
    ("2026-02-19", false, "春节"),
    ("2026-02-20", false, "春节"),
    ("2026-02-21", false, "春节"),
    ("2026-02-22", false, "春节"),
    ("2026-02-23", false, "春节"),
    ("2026-02-28", true, "春节调休上班"),
    ("2026-04-04", false, "清明节"),
    ("2026-04-05", false, "清明节"),
    ("2026-04-06", false, "清明节"),
    ("2026-05-01", false, "劳动节"),
    ("2026-05-02", false, "劳动节"),
    ("2026-05-03", false, "劳动节"),
    ("2026-05-04", false, "劳动节"),
    ("2026-05-05", false, "劳动节"),
    ("2026-05-09", true, "劳动节调休上班"),
    ("2026-06-19", false, "端午节"),
    ("2026-06-20", false, "端午节"),
    ("2026-06-21", false, "端午节"),
    ("2026-09-20", true, "国庆节调休上班"),
    ("2026-09-25", false, "中秋节"),
    ("2026-09-26", false, "中秋节"),
    ("2026-09-27", false, "中秋节"),
    ("2026-10-01", false, "国庆节"),
    ("2026-10-02", false, "国庆节"),
    ("2026-10-03", false, "国庆节"),
    ("2026-10-04", false, "国庆节"),
    ("2026-10-05", false, "国庆节"),
    ("2026-10-06", false, "国庆节"),
    ("2026-10-07", false, "国庆节"),
    ("2026-10-10", true, "国庆节调休上班"),
];
