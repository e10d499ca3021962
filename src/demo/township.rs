//! The township itself (定亲 done, no history yet): grids, staff, micro-grids, households.

use std::ops::Range;

use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::RngExt;
use uuid::Uuid;

use super::names;
use super::texts;
use super::{Area, DemoShape};
use crate::domain::HouseholdKind;

/// Makes UUID v7 ids for a given time from the seeded RNG, so ids are reproducible too.
pub struct Ids(pub StdRng);

impl Ids {
    pub fn at(&mut self, millis: i64) -> Uuid {
        let bytes: [u8; 10] = self.0.random();
        uuid::Builder::from_unix_timestamp_millis(millis.max(0) as u64, &bytes).into_uuid()
    }
}

pub struct Grid {
    pub id: Uuid,
    pub name: String,
    pub area: Area,
}

pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub phone: Option<String>,
}

pub struct MicroGrid {
    pub id: Uuid,
    pub grid: usize,
    pub name: String,
    pub group_name: Option<String>,
    /// Index into `Township::leaders`.
    pub leader: usize,
    pub households: Range<usize>,
}

pub struct Household {
    pub id: Uuid,
    pub micro_grid: usize,
    pub kind: HouseholdKind,
    pub name: String,
    pub address: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub members: Option<i32>,
    pub tags: Vec<&'static str>,
    pub note: Option<&'static str>,
}

pub struct Township {
    pub tenant_id: Uuid,
    /// When the township was set up and every leader assigned (定亲), before the history.
    pub set_up_ms: i64,
    pub grids: Vec<Grid>,
    pub admin: User,
    pub supervisor: User,
    pub leaders: Vec<User>,
    /// Each leader's micro-grids, by index.
    pub leader_micro_grids: Vec<Vec<usize>>,
    pub micro_grids: Vec<MicroGrid>,
    pub households: Vec<Household>,
}

/// Estates (小区) of the communities; other communities get generic ones.
fn estates(community: &str) -> &'static [&'static str] {
    match community {
        "新埭社区" => &["新埭花园", "泗泾新村", "东方名苑", "溪南小区", "新华苑"],
        "虹桥社区" => &["虹桥景苑", "虹桥新村", "景秀苑", "金桥花苑"],
        _ => &["幸福小区", "和苑", "锦绣苑"],
    }
}

pub fn build(shape: &DemoShape, set_up_ms: i64, rng: &mut StdRng, ids: &mut Ids) -> Township {
    let tenant_id = ids.at(set_up_ms);
    let mut user = |username: String, display_name: String, role, phone| User {
        id: ids.at(set_up_ms),
        username,
        display_name,
        role,
        phone,
    };
    let admin = user(
        "admin".into(),
        "镇网格办管理员".into(),
        "tenant_admin",
        None,
    );
    let supervisor = user("supervisor".into(), "镇网格督导".into(), "supervisor", None);
    let leaders: Vec<User> = (1..=shape.leaders)
        .map(|n| {
            let male = rng.random_bool(0.55);
            let name = names::person(rng, male);
            let phone = names::mobile(rng);
            user(format!("leader{n:03}"), name, "leader", Some(phone))
        })
        .collect();

    let grids: Vec<Grid> = shape
        .grids
        .iter()
        .map(|spec| Grid {
            id: ids.at(set_up_ms),
            name: spec.name.to_owned(),
            area: spec.area,
        })
        .collect();

    // Micro-grids, grid by grid; then the messaging groups among the village and community
    // ones (enterprises keep in touch by phone).
    let mut micro_grids = Vec::new();
    for (g, spec) in shape.grids.iter().enumerate() {
        for n in 1..=spec.micro_grids {
            let name = match spec.area {
                Area::Village => format!("{}{n}组", spec.name),
                Area::Community | Area::Park => format!("{}第{n}微网格", spec.name),
            };
            micro_grids.push(MicroGrid {
                id: ids.at(set_up_ms),
                grid: g,
                name,
                group_name: None,
                leader: 0,
                households: 0..0,
            });
        }
    }
    let mut with_groups: Vec<usize> = (0..micro_grids.len())
        .filter(|&m| grids[micro_grids[m].grid].area != Area::Park)
        .collect();
    with_groups.shuffle(rng);
    for &m in with_groups.iter().take(shape.groups as usize) {
        micro_grids[m].group_name = Some(format!("{}连心群", micro_grids[m].name));
    }

    // 定亲: consecutive micro-grids to each leader (so a leader works one place), as evenly
    // as the numbers allow; which leaders take one more is left to the RNG.
    let leader_count = leaders.len().max(1);
    let base = micro_grids.len() / leader_count;
    let mut sizes: Vec<usize> = (0..leader_count)
        .map(|l| base + usize::from(l < micro_grids.len() % leader_count))
        .collect();
    sizes.shuffle(rng);
    let mut leader_micro_grids = vec![Vec::new(); leader_count];
    let mut next = 0;
    for (l, size) in sizes.into_iter().enumerate() {
        for (m, micro_grid) in micro_grids.iter_mut().enumerate().skip(next).take(size) {
            micro_grid.leader = l;
            leader_micro_grids[l].push(m);
        }
        next += size;
    }

    let mut households = Vec::new();
    let mut local_index = vec![0usize; grids.len()];
    for (m, micro_grid) in micro_grids.iter_mut().enumerate() {
        let grid = &grids[micro_grid.grid];
        let k = local_index[micro_grid.grid];
        local_index[micro_grid.grid] += 1;
        let spec = &shape.grids[micro_grid.grid];
        let start = households.len();
        match grid.area {
            Area::Village => village(rng, ids, set_up_ms, &grid.name, k, m, &mut households),
            Area::Community => community(
                rng,
                ids,
                set_up_ms,
                &grid.name,
                k,
                spec.micro_grids as usize,
                m,
                &mut households,
            ),
            Area::Park => park(rng, ids, set_up_ms, m, &mut households),
        }
        micro_grid.households = start..households.len();
    }

    Township {
        tenant_id,
        set_up_ms,
        grids,
        admin,
        supervisor,
        leaders,
        leader_micro_grids,
        micro_grids,
        households,
    }
}

/// A family's householder, members and tags; older and bigger in the villages.
fn family(
    rng: &mut StdRng,
    ids: &mut Ids,
    at: i64,
    m: usize,
    kind: HouseholdKind,
    years: Range<i32>,
    address: String,
) -> Household {
    let male = rng.random_bool(0.8);
    let year = rng.random_range(years.clone()).min(rng.random_range(years));
    let weights: &[u32] = match kind {
        HouseholdKind::Village => &[8, 20, 22, 22, 16, 8, 4],
        _ => &[10, 25, 35, 18, 8, 3, 1],
    };
    let members = weighted(rng, weights) as i32 + 1;
    let mut tags = Vec::new();
    if members == 1 && year < 1962 {
        tags.push("独居老人");
    }
    for (tag, p) in [
        ("低保户", 0.04),
        ("残疾人", 0.03),
        ("党员户", 0.12),
        ("退役军人", 0.04),
    ] {
        if rng.random_bool(p) {
            tags.push(tag);
        }
    }
    let phone = match rng.random_range(0..100) {
        0..93 => Some(names::mobile(rng)),
        93..97 => Some(names::landline(rng)),
        _ => None,
    };
    let id_number = rng
        .random_bool(0.98)
        .then(|| names::id_number(rng, year, male));
    let note = rng
        .random_bool(0.1)
        .then(|| *texts::HOUSEHOLD_NOTES.choose(rng).expect("notes"));
    Household {
        id: ids.at(at),
        micro_grid: m,
        kind,
        name: names::person(rng, male),
        address,
        phone,
        id_number,
        members: Some(members),
        tags,
        note,
    }
}

/// A village group (组): 20–40 families, houses numbered along the lane.
fn village(
    rng: &mut StdRng,
    ids: &mut Ids,
    at: i64,
    village: &str,
    k: usize,
    m: usize,
    out: &mut Vec<Household>,
) {
    let mut number = 0;
    for _ in 0..rng.random_range(20..=40) {
        number += rng.random_range(1..=3);
        let address = format!("新埭镇{village}{}组{number}号", k + 1);
        out.push(family(
            rng,
            ids,
            at,
            m,
            HouseholdKind::Village,
            1935..1992,
            address,
        ));
    }
}

/// About 50 flats of two buildings of an estate (小区).
#[allow(clippy::too_many_arguments)]
fn community(
    rng: &mut StdRng,
    ids: &mut Ids,
    at: i64,
    community: &str,
    k: usize,
    of: usize,
    m: usize,
    out: &mut Vec<Household>,
) {
    let estates = estates(community);
    let estate_index = k * estates.len() / of.max(1);
    let first_of_estate = (estate_index * of).div_ceil(estates.len());
    let building = 2 * (k - first_of_estate) + 1;
    for j in 0..rng.random_range(45..=55usize) {
        let flat = j % 24;
        let address = format!(
            "新埭镇{}{}幢{}单元{}室",
            estates[estate_index],
            building + j / 24,
            flat / 12 + 1,
            (flat % 12 / 2 + 1) * 100 + flat % 2 + 1
        );
        out.push(family(
            rng,
            ids,
            at,
            m,
            HouseholdKind::Resident,
            1945..2000,
            address,
        ));
    }
}

/// A handful of enterprises along the park's roads.
fn park(rng: &mut StdRng, ids: &mut Ids, at: i64, m: usize, out: &mut Vec<Household>) {
    let road = *names::ROADS.choose(rng).expect("roads");
    let mut number = rng.random_range(1..200);
    for _ in 0..rng.random_range(3..=10) {
        number += rng.random_range(2..=20);
        let mut tags = Vec::new();
        for (tag, p) in [("规上企业", 0.25), ("安全生产重点", 0.15)] {
            if rng.random_bool(p) {
                tags.push(tag);
            }
        }
        let phone = if rng.random_bool(0.5) {
            names::landline(rng)
        } else {
            names::mobile(rng)
        };
        out.push(Household {
            id: ids.at(at),
            micro_grid: m,
            kind: HouseholdKind::Enterprise,
            name: names::company(rng),
            address: format!("新埭镇{road}{number}号"),
            phone: Some(phone),
            id_number: None,
            members: None,
            tags,
            note: None,
        });
    }
}

/// An index drawn with the given weights.
pub fn weighted(rng: &mut StdRng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut pick = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if pick < *w {
            return i;
        }
        pick -= w;
    }
    weights.len() - 1
}
