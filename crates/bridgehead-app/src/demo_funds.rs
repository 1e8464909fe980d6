//! The demo's funds (SPEC §5; demo_facts.md): Zhejiang's provincial special funds and
//! the "little giants" parent fund, the High-end Equipment (Jiaxing) Industry Fund under
//! the provincial high-end equipment fund, a sub-fund below it, their partners, a few
//! years of calls, investments in Jiaxing enterprises, a valuation, a distribution with
//! its waterfall, and the city's rule set for local reinvestment. Sizes are not
//! published: every amount here is illustrative, and every name says so.

use bridgehead_domain::funds::policy::{PolicyTerms, Qualification, Rules, Weighting};
use bridgehead_domain::funds::waterfall::{Accrual, CatchUp, Hurdle, Style};
use rust_decimal::Decimal;

use crate::demo::demo_credit_code;
use crate::fund_policy::{Beneficiary, FundConcession, FundTerms, FundWaterfallTerms};
use crate::funds::{EntryInput, FundInput, HoldingInput, NoticeInput, PartnerInput};
use crate::{Actor, App, AppError, AppResult};

/// 亿元 (100 million yuan) in fen.
const YI: i64 = 100_000_000 * 100;
/// 万元 (10 thousand yuan) in fen.
const WAN: i64 = 10_000 * 100;

pub const HIGH_END_EQUIPMENT_JIAXING: &str = "高端装备（嘉兴）产业基金（示例规模）";

fn fund(name_zh: &str, name_en: &str, kind: &str, region: &str, size: i64, manager: i64, focus: &[&str]) -> FundInput {
    FundInput {
        name_zh: name_zh.to_owned(),
        name_en: Some(name_en.to_owned()),
        kind: kind.to_owned(),
        manager_organization_id: Some(manager),
        currency_code: None,
        target_size_minor: size,
        vintage: 2022,
        investment_years: 5,
        term_years: 10,
        home_region_code: region.to_owned(),
        focus_industries: focus.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn partner(name: &str, kind: &str, commitment: i64, investor: Option<i64>, on: &str) -> PartnerInput {
    PartnerInput {
        name: name.to_owned(),
        kind: kind.to_owned(),
        investor_fund_id: investor,
        commitment_minor: commitment,
        committed_on: on.to_owned(),
    }
}

fn call(date: &str, investment: i64, fees: i64) -> NoticeInput {
    NoticeInput {
        kind: "call".to_owned(),
        notice_date: date.to_owned(),
        due_date: date.to_owned(),
        investment_minor: investment,
        fees_minor: fees,
        expenses_minor: 0,
        capital_minor: 0,
        gain_minor: 0,
        income_minor: 0,
        memo: Some("示例".to_owned()),
    }
}

fn flow(date: &str, kind: &str, amount: i64, holding: i64, component: Option<&str>) -> EntryInput {
    EntryInput {
        date: date.to_owned(),
        kind: kind.to_owned(),
        amount_minor: amount,
        component: component.map(str::to_owned),
        partner_id: None,
        holding_id: Some(holding),
        memo: Some("示例".to_owned()),
    }
}

fn decimal(text: &str) -> AppResult<Decimal> {
    text.parse().map_err(|_| AppError::Internal(format!("demo decimal {text}")))
}

impl App {
    /// Builds the demo funds once (nothing happens if they exist already).
    pub(crate) async fn build_demo_funds(&self, operator: &Actor, manager: i64) -> AppResult<usize> {
        if self.funds(operator).await?.iter().any(|f| f.name_zh == HIGH_END_EQUIPMENT_JIAXING) {
            return Ok(0);
        }
        let on = "2022-12-20";
        // The provincial special funds and the parent fund for "little giants".
        let provincial = [
            ("浙江省新一代信息技术产业基金（示例规模）", "Zhejiang New-generation IT Fund (illustrative size)", "39"),
            ("浙江省高端装备制造产业基金（示例规模）", "Zhejiang High-end Equipment Fund (illustrative size)", "35"),
            (
                "浙江省现代消费与健康产业基金（示例规模）",
                "Zhejiang Modern Consumption & Health Fund (illustrative size)",
                "27",
            ),
            (
                "浙江省绿色石化与新材料产业基金（示例规模）",
                "Zhejiang Green Petrochemicals & New Materials Fund (illustrative size)",
                "26",
            ),
            ("浙江省专精特新母基金（示例规模）", "Zhejiang Little Giants Parent Fund (illustrative size)", ""),
        ];
        let mut equipment = 0;
        for (i, (zh, en, focus)) in provincial.iter().enumerate() {
            let kind = if i == 4 { "guidance" } else { "special" };
            let focus: Vec<&str> = if focus.is_empty() { Vec::new() } else { vec![focus] };
            let f = self.create_fund(operator, &fund(zh, en, kind, "330000", 20 * YI, manager, &focus)).await?;
            self.add_partner(operator, f.id, &partner("浙江省财政厅（示例）", "government", 12 * YI, None, on)).await?;
            self.add_partner(
                operator,
                f.id,
                &partner("浙江省金融控股有限公司（示例）", "state_holding", 8 * YI, None, on),
            )
            .await?;
            if i == 1 {
                equipment = f.id;
            }
        }
        let jiaxing = self
            .create_fund(
                operator,
                &fund(
                    HIGH_END_EQUIPMENT_JIAXING,
                    "High-end Equipment (Jiaxing) Industry Fund (illustrative size)",
                    "industry",
                    "330400",
                    10 * YI,
                    manager,
                    &["34", "35", "38"],
                ),
            )
            .await?;
        self.add_partner(operator, jiaxing.id, &partner("省高端装备基金", "fund", 3 * YI, Some(equipment), on)).await?;
        let city = self
            .add_partner(operator, jiaxing.id, &partner("嘉兴市财政局（示例）", "government", 2 * YI, None, on))
            .await?;
        let social = self
            .add_partner(
                operator,
                jiaxing.id,
                &partner("示例社会资本合伙企业（示例）", "social", 49 * YI / 10, None, on),
            )
            .await?;
        let gp =
            self.add_partner(operator, jiaxing.id, &partner("示例基金管理人（示例）", "gp", YI / 10, None, on)).await?;
        let sub = self
            .create_fund(
                operator,
                &fund(
                    "嘉兴智能装备子基金（示例规模）",
                    "Jiaxing Smart Equipment Sub-fund (illustrative size)",
                    "sub_fund",
                    "330400",
                    2 * YI,
                    manager,
                    &["34", "35", "39"],
                ),
            )
            .await?;
        self.add_partner(
            operator,
            sub.id,
            &partner("高端装备（嘉兴）基金", "fund", 6 * YI / 10, Some(jiaxing.id), "2023-03-01"),
        )
        .await?;
        self.add_partner(
            operator,
            sub.id,
            &partner("示例产业资本（示例）", "social", 138 * YI / 100, None, "2023-03-01"),
        )
        .await?;
        self.add_partner(
            operator,
            sub.id,
            &partner("示例子基金管理人（示例）", "gp", 2 * YI / 100, None, "2023-03-01"),
        )
        .await?;

        // The provincial funds pay in what they call; the equipment fund's call is paid
        // through its holding in the Jiaxing fund (mirrored when the Jiaxing fund's call is paid).
        for fund_id in self.funds(operator).await?.iter().filter(|f| f.home_region_code == "330000").map(|f| f.id) {
            let notice = self.issue_notice(operator, fund_id, &call("2023-01-15", 4 * YI, YI / 10)).await?;
            self.pay_call(operator, fund_id, notice.id, None, "2023-01-31").await?;
        }
        for (date, investment, fees) in [("2023-03-15", 3 * YI, YI / 10), ("2024-03-15", 2 * YI, YI / 10)] {
            let notice = self.issue_notice(operator, jiaxing.id, &call(date, investment, fees)).await?;
            self.pay_call(operator, jiaxing.id, notice.id, None, date).await?;
        }
        let notice = self.issue_notice(operator, sub.id, &call("2023-06-01", 8_000 * WAN, 200 * WAN)).await?;
        self.pay_call(operator, sub.id, notice.id, None, "2023-06-20").await?;

        // Portfolio companies of the registry (illustrative enterprises of the demo).
        let mut conn = self.store.read().await?;
        let mut company = Vec::new();
        for (region, index) in
            [("330402", 0), ("330411", 8), ("330421", 13), ("310114", 35), ("330402", 1), ("330411", 7), ("330402", 4)]
        {
            let e = bridgehead_store::enterprises::get_by_credit_code(&mut conn, &demo_credit_code(region, index))
                .await?
                .ok_or(AppError::NotFound { what: "demo enterprise" })?;
            company.push(e.id);
        }
        let (projects, _) = bridgehead_store::projects::list_projects(
            &mut conn,
            &bridgehead_store::projects::ProjectFilter {
                region_within: Some("330400".to_owned()),
                limit: 1,
                ..Default::default()
            },
        )
        .await?;
        drop(conn);
        let holding = |enterprise_id: i64, acquired_on: &str| HoldingInput {
            enterprise_id,
            project_id: None,
            acquired_on: acquired_on.to_owned(),
        };
        let mut held = Vec::new();
        for (fund_id, enterprise, date, amount) in [
            (jiaxing.id, company[0], "2023-04-10", 9_000 * WAN),
            (jiaxing.id, company[1], "2023-05-18", 12_000 * WAN),
            (jiaxing.id, company[2], "2023-09-05", 6_000 * WAN),
            (jiaxing.id, company[3], "2024-04-02", 10_000 * WAN),
            (sub.id, company[4], "2023-07-03", 3_000 * WAN),
            (sub.id, company[5], "2023-08-21", 2_500 * WAN),
            (sub.id, company[6], "2023-11-30", 1_500 * WAN),
        ] {
            let h = self.add_holding(operator, fund_id, &holding(enterprise, date)).await?;
            self.record_entry(operator, fund_id, &flow(date, "investment", amount, h.id, None)).await?;
            held.push(h.id);
        }
        // The Jiading sensor maker's relocation to Jiaxing, with its project as evidence.
        if let Some(project) = projects.first() {
            self.add_evidence(
                operator,
                jiaxing.id,
                held[3],
                Qualification::Relocation.code(),
                project.id,
                "迁建协议 JX-2024-017（示例）",
                "2024-04-02",
            )
            .await?;
        }
        // A partial exit, a valuation and a distribution.
        self.record_entry(operator, jiaxing.id, &flow("2025-06-30", "proceeds", 6_000 * WAN, held[0], Some("capital")))
            .await?;
        self.record_entry(operator, jiaxing.id, &flow("2025-06-30", "proceeds", 4_500 * WAN, held[0], Some("gain")))
            .await?;
        self.record_valuation(operator, jiaxing.id, None, "2025-06-30", 46_000 * WAN, Some("示例估值")).await?;
        self.record_valuation(operator, sub.id, None, "2025-06-30", 8_600 * WAN, Some("示例估值")).await?;
        let distribution = NoticeInput {
            kind: "distribution".to_owned(),
            notice_date: "2025-07-15".to_owned(),
            due_date: "2025-07-15".to_owned(),
            investment_minor: 0,
            fees_minor: 0,
            expenses_minor: 0,
            capital_minor: 6_000 * WAN,
            gain_minor: 4_500 * WAN,
            income_minor: 0,
            memo: Some("示例".to_owned()),
        };
        self.issue_notice(operator, jiaxing.id, &distribution).await?;

        // The city's rule set: local registration from 2022; relocations and attracted
        // projects from 2024, investments counted in full (illustrative rules).
        let key = ["34", "35", "36", "38", "39"].map(str::to_owned).to_vec();
        let mut rules = Rules {
            local_region: "330400".to_owned(),
            key_industries: key,
            qualifies: vec![Qualification::LocallyRegistered],
            weighting: Weighting::Full,
        };
        self.add_rule_set(operator, "jiaxing-reinvestment", "嘉兴市返投认定规则（示例）", "2022-01-01", &rules).await?;
        rules.qualifies = Qualification::ALL.to_vec();
        self.add_rule_set(operator, "jiaxing-reinvestment", "嘉兴市返投认定规则（示例）", "2024-01-01", &rules).await?;

        let policy = PolicyTerms {
            rule_set: Some("jiaxing-reinvestment".to_owned()),
            required_reinvestment_multiple: Some(decimal("1.5")?),
            min_leverage: Some(decimal("3")?),
            min_target_industry_ratio: Some(decimal("0.6")?),
            max_single_company_share: Some(decimal("0.2")?),
            max_idle_share: Some(decimal("0.3")?),
            min_deployment_pace: Some(decimal("0.8")?),
            warning_margin: None,
        };
        self.set_fund_terms(operator, equipment, None, &FundTerms { policy: policy.clone(), waterfall: None }).await?;
        let waterfall = FundWaterfallTerms {
            style: Style::European,
            hurdle: Some(Hurdle { rate: decimal("0.08")?, accrual: Accrual::Simple }),
            catch_up: CatchUp::Full,
            carry: decimal("0.2")?,
            gp_partner_id: gp.id,
            concession: Some(FundConcession {
                government_partner_id: city.id,
                base_rate: decimal("0.03")?,
                share: decimal("0.5")?,
                beneficiaries: vec![Beneficiary { partner_id: social.id, weight: 1 }],
            }),
        };
        self.set_fund_terms(operator, jiaxing.id, None, &FundTerms { policy, waterfall: Some(waterfall) }).await?;
        Ok(8)
    }
}
