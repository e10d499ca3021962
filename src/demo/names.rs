//! People, companies, phones and resident ID numbers that read like a 平湖 roster.
//! Everything is drawn from the caller's seeded RNG, so the same seed gives the same people.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::RngExt;

use crate::domain::check_char;

/// Surnames common around 嘉兴/平湖, the frequent ones listed more than once.
const SURNAMES: &[&str] = &[
    "沈", "沈", "沈", "陆", "陆", "张", "张", "王", "王", "徐", "徐", "朱", "朱", "顾", "顾", "李",
    "陈", "陈", "周", "周", "吴", "金", "金", "钱", "孙", "冯", "姚", "唐", "胡", "蒋", "俞", "马",
    "杨", "黄", "刘", "曹", "戴", "屠", "费", "倪", "潘", "褚", "蔡", "郁", "何", "许", "高", "范",
    "郑", "汤", "邱", "施", "严", "盛", "钟", "宋", "方", "赵", "丁", "凌", "缪", "计", "卜", "邵",
];

const MALE: &[&str] = &[
    "建", "国", "明", "伟", "华", "强", "军", "平", "林", "勇", "根", "荣", "兴", "福", "忠", "海",
    "峰", "斌", "杰", "磊", "涛", "栋", "良", "民", "生", "祥", "新", "春", "德", "元", "金", "宝",
    "龙", "宏", "伟", "锋", "俊", "志", "刚", "鑫", "毅", "卫", "东", "庆", "文", "超", "浩",
];

const FEMALE: &[&str] = &[
    "英", "芳", "红", "梅", "娟", "凤", "珍", "琴", "丽", "秀", "萍", "燕", "霞", "美", "玲", "兰",
    "妹", "娣", "菊", "芬", "艳", "静", "婷", "雅", "洁", "敏", "慧", "月", "雪", "云", "佳", "颖",
];

/// A person's name: surname and a one- or two-character given name.
pub fn person(rng: &mut StdRng, male: bool) -> String {
    let pool = if male { MALE } else { FEMALE };
    let mut name = String::from(*SURNAMES.choose(rng).expect("surnames"));
    name.push_str(pool.choose(rng).expect("given names"));
    if rng.random_bool(0.75) {
        name.push_str(pool.choose(rng).expect("given names"));
    }
    name
}

/// Mobile prefixes of the three carriers.
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "157", "158", "159", "177", "180", "181", "182", "183", "186", "187", "188", "189",
    "191", "198", "199",
];

pub fn mobile(rng: &mut StdRng) -> String {
    let prefix = MOBILE_PREFIXES.choose(rng).expect("prefixes");
    format!("{prefix}{:08}", rng.random_range(0..100_000_000u32))
}

/// A 平湖 landline (area code 0573, local numbers 85xxxxxx).
pub fn landline(rng: &mut StdRng) -> String {
    format!("0573-85{:06}", rng.random_range(0..1_000_000u32))
}

/// A 平湖 resident ID number (area 330482) for someone born in `year`, with a valid check
/// character; the 17th digit is odd for men, as the standard says.
pub fn id_number(rng: &mut StdRng, year: i32, male: bool) -> String {
    let month = rng.random_range(1..=12u32);
    let day = rng.random_range(1..=28u32);
    let station = rng.random_range(0..100u32);
    let gender = rng.random_range(0..5u32) * 2 + u32::from(male);
    let body = format!("330482{year:04}{month:02}{day:02}{station:02}{gender}");
    let check = check_char(body.as_bytes()) as char;
    format!("{body}{check}")
}

const FIRM_WORDS: &[&str] = &[
    "鑫达", "华宇", "恒力", "新埭", "星光", "宏盛", "金鼎", "永信", "润丰", "博远", "联创", "天成",
    "瑞祥", "佳禾", "众邦", "立新", "裕隆", "通益", "美格", "优佳", "康源", "亿丰", "泰和", "盛源",
    "嘉诚", "东湖", "凯越", "汇通", "万隆", "兴埭",
];

const TRADES: &[&str] = &[
    "机械",
    "五金",
    "塑业",
    "服饰",
    "电子",
    "包装",
    "食品",
    "新材料",
    "箱包",
    "光电",
    "纺织",
    "家具",
    "汽车配件",
    "精密制造",
    "化纤",
    "印务",
    "模具",
    "科技",
    "环保设备",
    "童装",
];

/// A company name such as 平湖市鑫达机械有限公司.
pub fn company(rng: &mut StdRng) -> String {
    let place = ["平湖市", "平湖市", "嘉兴", "浙江"]
        .choose(rng)
        .expect("places");
    let word = FIRM_WORDS.choose(rng).expect("words");
    let trade = TRADES.choose(rng).expect("trades");
    format!("{place}{word}{trade}有限公司")
}

/// Roads of the industrial parks.
pub const ROADS: &[&str] = &[
    "新兴路",
    "星光路",
    "创业路",
    "工业大道",
    "鑫港路",
    "兴埭路",
    "平兴公路",
    "新华路",
    "泗泾路",
    "振兴路",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{IdNumber, Phone};
    use rand::SeedableRng;

    #[test]
    fn generated_ids_and_phones_parse() {
        let mut rng = StdRng::seed_from_u64(7);
        for i in 0..2000 {
            let id = id_number(&mut rng, 1940 + i % 60, i % 2 == 0);
            assert!(IdNumber::parse(&id).is_ok(), "{id}");
            assert!(Phone::parse(&mobile(&mut rng)).is_ok());
            assert!(Phone::parse(&landline(&mut rng)).is_ok());
        }
    }
}
