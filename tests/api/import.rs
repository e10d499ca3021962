//! Household roster import: CSV and XLSX, English and Chinese headers, all or nothing,
//! limits, roles, the audit record, and the same import from the command line.

use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

use crate::fixtures::Township;
use crate::grids::count;
use crate::harness::{into_resp, Resp, TestApp, JWT_SECRET};

const PATH: &str = "/api/v1/households/import";
const ZH_HEADER: &str = "微网格,类型,户主/名称,地址,电话,身份证号,人数,标签";
const EN_HEADER: &str = "micro_grid,kind,name,address,phone,id_number,members,tags";

/// A valid resident ID number for a birth date and a sequence number.
fn id_number(birth: &str, sequence: u32) -> String {
    let digits = format!("330424{birth}{sequence:03}");
    let check = lianxin::domain::check_char(digits.as_bytes()) as char;
    format!("{digits}{check}")
}

pub async fn upload(app: &TestApp, token: &str, file_name: &str, bytes: Vec<u8>) -> Resp {
    let part = Part::bytes(bytes).file_name(file_name.to_owned());
    let form = Form::new().part("file", part);
    let response = app
        .client
        .post(format!("{}{PATH}", app.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("request sent");
    into_resp(response).await
}

async fn households(app: &TestApp) -> i64 {
    count(app, "SELECT count(*) AS n FROM households").await
}

/// The households of a micro-grid by name, as the admin sees them.
async fn named(app: &TestApp, t: &Township, name: &str) -> Value {
    let list = app
        .get(&format!("/api/v1/households?q={name}"), &t.admin.token)
        .await
        .expect(200);
    assert_eq!(list["total"], 1, "{list}");
    list["items"][0].clone()
}

fn csv(header: &str, rows: &[String]) -> String {
    let mut text = format!("{header}\r\n");
    for row in rows {
        text.push_str(row);
        text.push_str("\r\n");
    }
    text
}

#[tokio::test]
async fn a_chinese_csv_with_bom_creates_every_row() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let before = households(&app).await;
    let rows = [
        format!(
            "新埭村第1微网格,农户,沈金根,新埭村3组12号,138 1234 5678,{},4,\"低保户，独居老人\"",
            id_number("19520304", 17)
        ),
        "新埭村第2微网格,居民,陆美华,新埭镇人民路8号,0573-85123456,,2,".to_owned(),
        "工业园区第1微网格,企业,嘉兴新埭服饰有限公司,工业园区创业路6号,,,,规上企业、外贸"
            .to_owned(),
    ];
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(csv(ZH_HEADER, &rows).as_bytes());
    let body = upload(&app, &t.admin.token, "花名册.csv", bytes)
        .await
        .expect(201);
    assert_eq!(body, json!({"created": 3}));
    assert_eq!(households(&app).await, before + 3);

    let shen = named(&app, &t, "沈金根").await;
    assert_eq!(shen["micro_grid_id"], t.m1.to_string());
    assert_eq!(shen["kind"], "village");
    assert_eq!(shen["address"], "新埭村3组12号");
    assert_eq!(shen["phone"], "13812345678");
    assert_eq!(shen["id_number"], id_number("19520304", 17));
    assert_eq!(shen["members"], 4);
    assert_eq!(shen["tags"], json!(["低保户", "独居老人"]));
    let lu = named(&app, &t, "陆美华").await;
    assert_eq!(
        (
            &lu["micro_grid_id"],
            &lu["kind"],
            &lu["phone"],
            &lu["id_number"]
        ),
        (
            &json!(t.m2.to_string()),
            &json!("resident"),
            &json!("0573-85123456"),
            &Value::Null
        )
    );
    let firm = named(&app, &t, "服饰").await;
    assert_eq!(firm["micro_grid_id"], t.m3.to_string());
    assert_eq!(firm["kind"], "enterprise");
    assert_eq!(firm["members"], Value::Null);
    assert_eq!(firm["tags"], json!(["规上企业", "外贸"]));
}

#[tokio::test]
async fn english_headers_without_bom_in_another_order() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let text = "name,address,kind,micro_grid,members\n\
                Zhou Wei,新埭村5组3号,village,新埭村第1微网格,3\n\
                钱丽,新埭镇平湖路20号,resident,新埭村第2微网格,\n";
    upload(&app, &t.admin.token, "roster.csv", text.as_bytes().to_vec())
        .await
        .expect(201);
    let zhou = named(&app, &t, "Zhou").await;
    assert_eq!(zhou["members"], 3);
    assert_eq!(zhou["micro_grid_id"], t.m1.to_string());
    assert_eq!(named(&app, &t, "钱丽").await["kind"], "resident");
}

#[tokio::test]
async fn an_xlsx_roster_with_typed_numbers_is_read_as_written() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in ZH_HEADER.split(',').enumerate() {
        sheet.write_string(0, col as u16, header).unwrap();
    }
    let id = id_number("19881122", 31);
    sheet.write_string(1, 0, "新埭村第1微网格").unwrap();
    sheet.write_string(1, 1, "村民").unwrap();
    sheet.write_string(1, 2, "顾海明").unwrap();
    sheet.write_string(1, 3, "新埭村7组21号").unwrap();
    sheet.write_number(1, 4, 13905731234.0).unwrap();
    sheet.write_string(1, 5, &id).unwrap();
    sheet.write_number(1, 6, 4.0).unwrap();
    sheet.write_string(1, 7, "党员;退役军人").unwrap();
    // A second row with only the required cells; a blank row in between is skipped.
    sheet.write_string(3, 0, "新埭村第2微网格").unwrap();
    sheet.write_string(3, 1, "住户").unwrap();
    sheet.write_string(3, 2, "徐建平").unwrap();
    sheet.write_string(3, 3, "新埭镇泖口路2号").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    // No .xlsx name: the content says it is a workbook.
    upload(&app, &t.admin.token, "roster", bytes)
        .await
        .expect(201);
    let gu = named(&app, &t, "顾海明").await;
    assert_eq!(gu["phone"], "13905731234");
    assert_eq!(gu["members"], 4);
    assert_eq!(gu["id_number"], id);
    assert_eq!(gu["kind"], "village");
    assert_eq!(gu["tags"], json!(["党员", "退役军人"]));
    assert_eq!(named(&app, &t, "徐建平").await["kind"], "resident");

    // An ID number typed as a number has lost digits already: refused, by its row number
    // in the sheet (blank rows counted, as Excel shows them).
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in EN_HEADER.split(',').enumerate() {
        sheet.write_string(0, col as u16, header).unwrap();
    }
    for (col, value) in ["新埭村第1微网格", "village", "吴桂芳", "新埭村1组1号"]
        .iter()
        .enumerate()
    {
        sheet.write_string(3, col as u16, *value).unwrap();
    }
    sheet.write_number(3, 5, 330424198811220317.0).unwrap();
    let resp = upload(
        &app,
        &t.admin.token,
        "roster.xlsx",
        workbook.save_to_buffer().unwrap(),
    )
    .await;
    resp.expect_error(422, "validation_failed");
    let problem = resp.body["error"]["fields"]["row 4"][0].as_str().unwrap();
    assert!(
        problem.starts_with("id_number: stored as a number"),
        "{problem}"
    );
}

#[tokio::test]
async fn one_bad_row_and_nothing_is_created_every_bad_row_named() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let before = households(&app).await;
    let rows = [
        "新埭村第1微网格,农户,沈金根,新埭村3组12号,13812345678,,4,".to_owned(),
        "新埭村第9微网格,农户,张三,新埭村4组1号,12345,,3,".to_owned(),
        "新埭村第2微网格,居民,李四,新埭镇人民路1号,,,,".to_owned(),
        format!(
            "新埭村第1微网格,工厂,,新埭村5组,,{},120,",
            "330424195203040171"
        ),
        "新埭村第2微网格,居民,王五,新埭镇人民路2号,,,2,".to_owned(),
    ];
    let resp = upload(
        &app,
        &t.admin.token,
        "roster.csv",
        csv(ZH_HEADER, &rows).into_bytes(),
    )
    .await;
    resp.expect_error(422, "validation_failed");
    let fields = resp.body["error"]["fields"].as_object().unwrap();
    let mut keys: Vec<&str> = fields.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["row 3", "row 5"], "{fields:?}");
    let row3: Vec<&str> = fields["row 3"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(row3.len(), 2, "{row3:?}");
    assert!(row3[0].starts_with("micro_grid: no micro-grid named “新埭村第9微网格”"));
    assert!(row3[1].starts_with("phone: "));
    let row5: Vec<&str> = fields["row 5"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for field in ["kind: ", "id_number: ", "members: ", "name: "] {
        assert!(
            row5.iter().any(|p| p.starts_with(field)),
            "{field} missing in {row5:?}"
        );
    }
    assert_eq!(households(&app).await, before);
    let audits = count(
        &app,
        "SELECT count(*) AS n FROM audit_log WHERE action = 'household.import'",
    )
    .await;
    assert_eq!(audits, 0);
}

#[tokio::test]
async fn another_townships_micro_grid_is_unknown() {
    let app = TestApp::spawn().await;
    let alpha = Township::create(&app, "alpha").await;
    let beta = Township::create(&app, "beta").await;
    app.post(
        &format!("/api/v1/grids/{}/micro-grids", beta.g1),
        &beta.admin.token,
        json!({"name": "北港村第1微网格"}),
    )
    .await
    .expect(201);
    let before = households(&app).await;
    let rows = ["北港村第1微网格,农户,冯小龙,北港村1组2号,,,,".to_owned()];
    let resp = upload(
        &app,
        &alpha.admin.token,
        "roster.csv",
        csv(ZH_HEADER, &rows).into_bytes(),
    )
    .await;
    resp.expect_error(422, "validation_failed");
    assert_eq!(
        resp.body["error"]["fields"]["row 2"],
        json!(["micro_grid: no micro-grid named “北港村第1微网格” in this township"])
    );
    assert_eq!(households(&app).await, before);
    // The same file is fine for the township that has the micro-grid.
    upload(
        &app,
        &beta.admin.token,
        "roster.csv",
        csv(ZH_HEADER, &rows).into_bytes(),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn header_and_file_problems_are_422() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let cases: [(&str, &[u8], &str, &str); 6] = [
        (
            "roster.csv",
            b"micro_grid,name,address,phone\nm,n,a,\n",
            "header",
            "missing required columns: kind",
        ),
        (
            "roster.csv",
            "微网格,类型,名称,地址,邮编,color\nm,k,n,a,1,2\n".as_bytes(),
            "header",
            "unknown columns: 邮编, color",
        ),
        ("roster.csv", b"", "file", "empty"),
        (
            "roster.csv",
            b"micro_grid,kind,name,address\r\n",
            "file",
            "no households",
        ),
        (
            "roster.xls",
            &[0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0],
            "file",
            ".xls",
        ),
        (
            "photo.png",
            b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe",
            "file",
            "UTF-8",
        ),
    ];
    for (name, bytes, field, needle) in cases {
        let resp = upload(&app, &t.admin.token, name, bytes.to_vec()).await;
        resp.expect_error(422, "validation_failed");
        let problem = resp.body["error"]["fields"][field][0]
            .as_str()
            .unwrap_or("");
        assert!(problem.contains(needle), "{name}: {}", resp.body);
    }
}

#[tokio::test]
async fn more_rows_than_the_cap_are_refused_and_many_rows_go_in_together() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let row = "新埭村第1微网格,农户,沈金根,新埭村3组12号,,,,";
    let too_many: Vec<String> = (0..50_001).map(|_| row.to_owned()).collect();
    let resp = upload(
        &app,
        &t.admin.token,
        "big.csv",
        csv(EN_HEADER, &too_many).into_bytes(),
    )
    .await;
    resp.expect_error(422, "validation_failed");
    assert!(resp.body["error"]["fields"]["file"][0]
        .as_str()
        .unwrap()
        .contains("50000"));
    // Several insert batches, one transaction, one audit record.
    let before = households(&app).await;
    let many: Vec<String> = (0..4500)
        .map(|i| format!("新埭村第{}微网格,农户,户主{i},新埭村{i}号,,,,", 1 + i % 2))
        .collect();
    upload(
        &app,
        &t.admin.token,
        "many.csv",
        csv(EN_HEADER, &many).into_bytes(),
    )
    .await
    .expect(201);
    assert_eq!(households(&app).await, before + 4500);
}

#[tokio::test]
async fn only_the_tenant_admin_imports() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let platform = crate::fixtures::platform_admin(&app).await;
    let rows = ["新埭村第1微网格,农户,沈金根,新埭村3组12号,,,,".to_owned()];
    let bytes = csv(ZH_HEADER, &rows).into_bytes();
    for token in [
        &t.supervisor.token,
        &t.grid_supervisor.token,
        &t.leader1.token,
        &platform.token,
    ] {
        upload(&app, token, "roster.csv", bytes.clone())
            .await
            .expect_error(403, "forbidden");
    }
    let anonymous = app
        .client
        .post(format!("{}{PATH}", app.base))
        .multipart(Form::new().part("file", Part::bytes(bytes)))
        .send()
        .await
        .unwrap();
    into_resp(anonymous)
        .await
        .expect_error(401, "unauthenticated");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM households WHERE name = '沈金根'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn over_twenty_mebibytes_is_413_with_the_envelope() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let mut bytes = format!("{EN_HEADER}\n").into_bytes();
    bytes.resize((20 << 20) + 1024, b' ');
    let resp = upload(&app, &t.admin.token, "huge.csv", bytes).await;
    resp.expect_error(413, "payload_too_large");
}

#[tokio::test]
async fn a_body_that_is_not_a_form_with_one_file_is_400() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    app.post(PATH, &t.admin.token, json!({"file": "roster.csv"}))
        .await
        .expect_error(400, "bad_request");
    app.raw(
        reqwest::Method::POST,
        PATH,
        Some(&t.admin.token),
        "multipart/form-data",
        b"no boundary at all".to_vec(),
    )
    .await
    .expect_error(400, "bad_request");
    let send = |form: Form| {
        app.client
            .post(format!("{}{PATH}", app.base))
            .bearer_auth(&t.admin.token)
            .multipart(form)
            .send()
    };
    let other_field = send(Form::new().text("roster", "micro_grid,kind"))
        .await
        .unwrap();
    into_resp(other_field)
        .await
        .expect_error(400, "bad_request");
    let two_files = Form::new()
        .part("file", Part::bytes(b"a".to_vec()))
        .part("file", Part::bytes(b"b".to_vec()));
    into_resp(send(two_files).await.unwrap())
        .await
        .expect_error(400, "bad_request");
    into_resp(send(Form::new()).await.unwrap())
        .await
        .expect_error(400, "bad_request");
}

#[tokio::test]
async fn the_import_is_one_audit_record_by_the_admin() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let rows = [
        "新埭村第1微网格,农户,沈金根,新埭村3组12号,,,,".to_owned(),
        "新埭村第2微网格,农户,陆阿毛,新埭村4组2号,,,,".to_owned(),
    ];
    upload(
        &app,
        &t.admin.token,
        "二组花名册.csv",
        csv(ZH_HEADER, &rows).into_bytes(),
    )
    .await
    .expect(201);
    let log = app
        .get("/api/v1/audit?action=household.import", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(log["total"], 1, "{log}");
    let entry = &log["items"][0];
    assert_eq!(entry["actor_id"], t.admin.id.to_string());
    assert_eq!(entry["entity"], "household");
    assert_eq!(entry["detail"]["created"], 2);
    assert_eq!(entry["detail"]["file"], "二组花名册.csv");
}

/// Runs `lianxin import-households --tenant CODE FILE` against the test's database.
async fn cli(app: &TestApp, tenant: &str, contents: &[u8], name: &str) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("lianxin-import-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, contents).unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_lianxin"))
        .args(["import-households", "--tenant", tenant])
        .arg(&file)
        .env("DATABASE_URL", &app.db_url)
        .env("LIANXIN_JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("the binary runs");
    std::fs::remove_dir_all(&dir).ok();
    output
}

#[tokio::test]
async fn the_command_line_imports_the_same_files() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let before = households(&app).await;
    let rows = [
        format!(
            "新埭村第1微网格,农户,沈金根,新埭村3组12号,13812345678,{},4,低保户",
            id_number("19520304", 17)
        ),
        "工业园区第1微网格,企业,嘉兴新埭服饰有限公司,工业园区创业路6号,,,,".to_owned(),
    ];
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(csv(ZH_HEADER, &rows).as_bytes());
    let output = cli(&app, "alpha", &bytes, "roster.csv").await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("imported 2 households"), "{stdout}");
    assert_eq!(households(&app).await, before + 2);
    let shen = named(&app, &t, "沈金根").await;
    assert_eq!(shen["tags"], json!(["低保户"]));
    assert_eq!(shen["phone"], "13812345678");
    // Audited, with nobody signed in.
    let log = app
        .get("/api/v1/audit?action=household.import", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(log["total"], 1);
    assert_eq!(log["items"][0]["actor_id"], Value::Null);
    assert_eq!(log["items"][0]["detail"]["created"], 2);
}

#[tokio::test]
async fn the_command_line_prints_every_bad_row_and_creates_nothing() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let before = households(&app).await;
    let rows = [
        "新埭村第1微网格,农户,沈金根,新埭村3组12号,,,,".to_owned(),
        "新埭村第1微网格,农户,张三,新埭村4组1号,12345,,,".to_owned(),
        "无此微网格,农户,李四,新埭村5组,,,,".to_owned(),
    ];
    let output = cli(
        &app,
        "alpha",
        csv(EN_HEADER, &rows).as_bytes(),
        "roster.csv",
    )
    .await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("row 3: phone:"), "{stderr}");
    assert!(
        stderr.contains("row 4: micro_grid: no micro-grid named “无此微网格”"),
        "{stderr}"
    );
    assert!(!stderr.contains("row 2"), "{stderr}");
    assert_eq!(households(&app).await, before);
    // An unknown township is refused too.
    let output = cli(
        &app,
        "nowhere",
        csv(EN_HEADER, &rows[..1]).as_bytes(),
        "r.csv",
    )
    .await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("nowhere"));
    assert_eq!(households(&app).await, before);
}

/// Every household's name and address in the township, sorted.
async fn names(app: &TestApp, town: &Township) -> Vec<(String, String)> {
    let list = app
        .get("/api/v1/households?per_page=100", &town.admin.token)
        .await
        .expect(200);
    let mut names: Vec<(String, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["name"].to_string(), h["address"].to_string()))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_sample_rosters_in_the_docs_import_cleanly() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    // The same roster in two languages and in GBK: one township each (in one it would be
    // twice).
    let beta = Township::create(&app, "beta").await;
    let gamma = Township::create(&app, "gamma").await;
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples");
    for (name, town) in [
        ("households.csv", &t),
        ("households-en.csv", &beta),
        ("households-gbk.csv", &gamma),
    ] {
        let bytes = std::fs::read(examples.join(name)).unwrap();
        let body = upload(&app, &town.admin.token, name, bytes)
            .await
            .expect(201);
        assert_eq!(body, json!({"created": 20}), "{name}");
    }
    let firm = app
        .get("/api/v1/households?q=服饰&per_page=5", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(firm["total"], 1);
    assert_eq!(firm["items"][0]["kind"], "enterprise");
    // The GBK sample's Chinese reads as the UTF-8 sample's.
    assert_eq!(names(&app, &gamma).await, names(&app, &t).await);
}

#[tokio::test]
async fn the_openapi_document_describes_the_import() {
    let app = TestApp::spawn().await;
    let doc = app
        .send(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    let import = &doc["paths"]["/api/v1/households/import"]["post"];
    assert!(
        import["requestBody"]["content"]["multipart/form-data"].is_object(),
        "{import}"
    );
    for status in ["201", "400", "401", "403", "413", "422"] {
        assert!(import["responses"][status].is_object(), "{status} missing");
    }
    assert!(doc["components"]["schemas"]["Imported"].is_object());
}

#[tokio::test]
async fn a_roster_imported_twice_or_with_a_repeated_row_gives_no_family_two_dossiers() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let rows = vec![
        "新埭村第1微网格,农户,沈金根,新埭村3组12号,,,4,".to_owned(),
        "新埭村第2微网格,农户,沈金根,新埭村5组1号,,,2,".to_owned(),
    ];
    let roster = csv(ZH_HEADER, &rows).into_bytes();
    upload(&app, &t.admin.token, "花名册.csv", roster.clone())
        .await
        .expect(201);
    let before = households(&app).await;

    // The same sheet again: every row is named, nothing is created.
    let again = upload(&app, &t.admin.token, "花名册.csv", roster).await;
    again.expect_error(422, "validation_failed");
    let fields = &again.body["error"]["fields"];
    for row in ["row 2", "row 3"] {
        assert!(
            fields[row][0].as_str().unwrap().contains("already"),
            "{fields}"
        );
    }
    // A new family, and a row repeating an earlier one of the same file.
    let mixed = csv(
        EN_HEADER,
        &[
            "新埭村第1微网格,village,钱阿大,新埭村7组1号,,,3,".to_owned(),
            "新埭村第1微网格,village,钱阿大,新埭村7组1号,,,3,".to_owned(),
        ],
    );
    let resp = upload(&app, &t.admin.token, "new.csv", mixed.into_bytes()).await;
    resp.expect_error(422, "validation_failed");
    let fields = &resp.body["error"]["fields"];
    assert!(fields.get("row 2").is_none(), "{fields}");
    assert!(
        fields["row 3"][0].as_str().unwrap().contains("row 2"),
        "{fields}"
    );
    assert_eq!(households(&app).await, before);
}

#[tokio::test]
async fn the_same_roster_uploaded_twice_at_once_goes_in_once() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let rows: Vec<String> = (0..300)
        .map(|i| format!("新埭村第1微网格,农户,并发{i},新埭村9组{i}号,,,3,"))
        .collect();
    let roster = csv(ZH_HEADER, &rows).into_bytes();
    let before = households(&app).await;
    let (first, second) = tokio::join!(
        upload(&app, &t.admin.token, "花名册.csv", roster.clone()),
        upload(&app, &t.admin.token, "花名册.csv", roster.clone()),
    );
    let mut statuses = [first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "{} / {}", first.body, second.body);
    assert_eq!(households(&app).await, before + 300);
}

#[tokio::test]
async fn a_bad_micro_grid_cell_is_that_rows_problem() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let long = "长".repeat(5000);
    let rows = vec![
        "\u{0}坏,农户,甲,新埭村1组1号,,,3,".to_owned(),
        format!("{long},农户,乙,新埭村1组2号,,,3,"),
        "\u{200B},农户,丙,新埭村1组3号,,,3,".to_owned(),
        "新埭村第1微网格,农户,丁,新埭村1组4号,,,3,".to_owned(),
    ];
    let before = households(&app).await;
    let resp = upload(
        &app,
        &t.admin.token,
        "r.csv",
        csv(ZH_HEADER, &rows).into_bytes(),
    )
    .await;
    resp.expect_error(422, "validation_failed");
    let fields = &resp.body["error"]["fields"];
    for row in ["row 2", "row 3", "row 4"] {
        assert!(
            fields[row][0].as_str().unwrap().starts_with("micro_grid:"),
            "{row}: {fields}"
        );
    }
    assert!(fields.get("row 5").is_none(), "{fields}");
    assert!(resp.bytes.len() < 4000, "the long name is not echoed whole");
    assert_eq!(households(&app).await, before);
}

/// The roster as Excel on a Chinese Windows saves "CSV": GBK, no BOM.
fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    bytes.into_owned()
}

#[tokio::test]
async fn a_gbk_csv_imports_with_its_chinese_intact() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let before = households(&app).await;
    let rows = [
        "新埭村第1微网格,农户,沈金根,新埭村3组12号,,,4,\"低保户，独居老人\"".to_owned(),
        "工业园区第1微网格,企业,嘉兴新埭服饰有限公司,工业园区创业路6号,,,,规上企业".to_owned(),
    ];
    let body = upload(
        &app,
        &t.admin.token,
        "花名册.csv",
        gbk(&csv(ZH_HEADER, &rows)),
    )
    .await
    .expect(201);
    assert_eq!(body, json!({"created": 2}));
    assert_eq!(households(&app).await, before + 2);
    let shen = named(&app, &t, "沈金根").await;
    assert_eq!(shen["address"], "新埭村3组12号");
    assert_eq!(shen["tags"], json!(["低保户", "独居老人"]));
    assert_eq!(shen["micro_grid_id"], t.m1.to_string());
    let firm = named(&app, &t, "嘉兴新埭服饰有限公司").await;
    assert_eq!(firm["kind"], "enterprise");
}

#[tokio::test]
async fn a_csv_neither_utf8_nor_gbk_is_refused_naming_both_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let before = households(&app).await;
    // A good GBK row, then bytes that are neither UTF-8 nor GB18030 (0xFF) on line 3.
    let mut bytes = gbk(&csv(
        ZH_HEADER,
        &["新埭村第1微网格,农户,沈金根,新埭村3组12号,,,,".to_owned()],
    ));
    bytes.extend(b"\xff\xfe,\xff\r\n");
    let resp = upload(&app, &t.admin.token, "roster.csv", bytes).await;
    resp.expect_error(422, "validation_failed");
    let problem = resp.body["error"]["fields"]["file"][0].as_str().unwrap();
    // The GBK header is not UTF-8 already; GB18030 reads on to the bad bytes.
    assert!(problem.contains("UTF-8 (line 1"), "{problem}");
    assert!(problem.contains("GB18030/GBK (line 3"), "{problem}");
    assert_eq!(households(&app).await, before);
}

#[tokio::test]
async fn the_command_line_reads_gbk_too() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let rows = ["新埭村第2微网格,居民,陆美华,新埭镇人民路8号,,,2,".to_owned()];
    let output = cli(&app, "alpha", &gbk(&csv(ZH_HEADER, &rows)), "roster.csv").await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lu = named(&app, &t, "陆美华").await;
    assert_eq!(lu["address"], "新埭镇人民路8号");
    assert_eq!(lu["micro_grid_id"], t.m2.to_string());
    // Bytes in neither encoding: refused, the message naming both.
    let output = cli(&app, "alpha", b"micro_grid,kind\n\xff\n", "roster.csv").await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("GB18030/GBK"), "{stderr}");
}
