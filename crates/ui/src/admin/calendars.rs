//! Business-hours calendars: the list, a form for a new one or an existing one (weekly shifts
//! per day, shifts past midnight, around the clock, holidays on one date or every year, an
//! IANA time zone), and removing one nothing uses.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontline_core::CoreError;
use frontline_core::Sla;
use frontline_domain::Calendar;
use frontline_domain::calendar::{Holiday, Shift};

use super::form::answer;
use super::{Admin, AdminForm, Fields, Problems};
use crate::error::{UiError, encode};
use crate::session::Signed;
use crate::view::{Chrome, Opt};

crate::screens! {
    /// What the business-hours calendar screens use.
    CalendarScreens {
    sla: Sla,
    }
}

const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

pub(crate) struct CalendarLine {
    pub name: String,
    pub href: String,
    pub zone: String,
    pub hours: String,
    pub holidays: String,
}

#[derive(Template)]
#[template(path = "admin/calendars.html")]
struct ListPage {
    chrome: Chrome,
    tab: &'static str,
    calendars: Vec<CalendarLine>,
    error: String,
}

pub(crate) struct Day {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct FormPage {
    chrome: Chrome,
    tab: &'static str,
    title: String,
    action: String,
    name: String,
    zones: Vec<Opt>,
    always: bool,
    days: Vec<Day>,
    dates: String,
    yearly: String,
    problems: Problems,
}

/// A calendar as its form shows it.
struct Draft {
    name: String,
    zone: String,
    always: bool,
    days: [String; 7],
    dates: String,
    yearly: String,
}

impl Draft {
    fn empty() -> Self {
        Draft {
            name: String::new(),
            zone: "UTC".into(),
            always: false,
            days: std::array::from_fn(|i| {
                if i < 5 {
                    "09:00-17:00".to_owned()
                } else {
                    String::new()
                }
            }),
            dates: String::new(),
            yearly: String::new(),
        }
    }

    fn of(name: &str, c: &Calendar) -> Self {
        let join = |shifts: &[Shift]| {
            shifts
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (mut dates, mut yearly) = (Vec::new(), Vec::new());
        for h in c.holidays() {
            match h {
                Holiday::Date(_) => dates.push(h.to_string()),
                Holiday::Yearly { .. } => yearly.push(h.to_string()),
            }
        }
        Draft {
            name: name.to_owned(),
            zone: c.time_zone().name().to_owned(),
            always: c.week().iter().all(|d| d == &[Shift::WHOLE_DAY]),
            days: std::array::from_fn(|i| join(&c.week()[i])),
            dates: dates.join("\n"),
            yearly: yearly.join("\n"),
        }
    }

    fn from_form(f: &Fields) -> Self {
        Draft {
            name: f.one("name").to_owned(),
            zone: f.one("time_zone").to_owned(),
            always: f.has("always", "yes"),
            days: std::array::from_fn(|i| f.one(DAYS[i].0).to_owned()),
            dates: f.one("dates").to_owned(),
            yearly: f.one("yearly").to_owned(),
        }
    }

    /// The calendar the form describes, or every problem with it.
    fn calendar(&self) -> Result<Calendar, Problems> {
        let mut p = Problems::default();
        if self.name.trim().is_empty() {
            p.add("name", "give the calendar a name");
        }
        let mut week: [Vec<Shift>; 7] = Default::default();
        for (i, (key, _)) in DAYS.iter().enumerate() {
            if self.always {
                week[i] = vec![Shift::WHOLE_DAY];
                continue;
            }
            for part in self.days[i].split([',', ';']).map(str::trim) {
                if part.is_empty() {
                    continue;
                }
                match Shift::parse(part) {
                    Ok(s) => week[i].push(s),
                    Err(_) => p.add(*key, format!("{part:?} is not a shift such as 09:00-17:00")),
                }
            }
        }
        let mut holidays = Vec::new();
        for line in self.dates.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match Holiday::parse(line) {
                Ok(h @ Holiday::Date(_)) => holidays.push(h),
                _ => p.add(
                    "dates",
                    format!("{line:?} is not a date such as 2026-12-24"),
                ),
            }
        }
        for line in self.yearly.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match Holiday::parse(line) {
                Ok(h @ Holiday::Yearly { .. }) => holidays.push(h),
                _ => p.add(
                    "yearly",
                    format!("{line:?} is not a month and day such as 12-25"),
                ),
            }
        }
        let calendar = Calendar::new(self.zone.trim(), week, holidays);
        match calendar {
            Ok(c) if p.is_empty() => Ok(c),
            Ok(_) => Err(p),
            Err(e) => {
                p.add("time_zone", e.message);
                Err(p)
            }
        }
    }
}

/// The IANA zones people pick from (regions and cities, and UTC), with `current` kept even
/// when it is one of the legacy names.
fn zones(current: &str) -> Vec<Opt> {
    let mut names: Vec<&str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name())
        .filter(|n| *n == "UTC" || *n == current || n.contains('/') && !n.starts_with("Etc/"))
        .collect();
    names.sort_unstable();
    names.dedup();
    Opt::list(names.into_iter().map(|n| (n, n)), current)
}

fn form_page(
    signed: &Signed,
    existing: Option<&str>,
    d: &Draft,
    problems: Problems,
) -> Result<String, UiError> {
    let (title, action) = match existing {
        Some(name) => (
            format!("Calendar {name}"),
            format!("/admin/calendars/{}", encode(name, false)),
        ),
        None => ("New calendar".to_owned(), "/admin/calendars".to_owned()),
    };
    let days = DAYS
        .iter()
        .enumerate()
        .map(|(i, (key, label))| Day {
            key,
            label,
            value: d.days[i].clone(),
            error: problems.of(key),
        })
        .collect();
    let page = FormPage {
        chrome: signed.chrome("admin"),
        tab: "calendars",
        title,
        action,
        name: d.name.clone(),
        zones: zones(&d.zone),
        always: d.always,
        days,
        dates: d.dates.clone(),
        yearly: d.yearly.clone(),
        problems,
    };
    Ok(page.render()?)
}

async fn list_page(
    ui: &CalendarScreens,
    signed: &Signed,
    error: String,
) -> Result<String, UiError> {
    let calendars = ui
        .sla
        .calendars(signed.actor())
        .await?
        .into_iter()
        .map(|(name, c)| {
            let d = Draft::of(&name, &c);
            let hours = if d.always {
                "Around the clock, every day".to_owned()
            } else {
                DAYS.iter()
                    .zip(&d.days)
                    .filter(|(_, h)| !h.is_empty())
                    .map(|((_, label), h)| format!("{} {h}", &label[..3]))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            CalendarLine {
                href: format!("/admin/calendars/{}", encode(&name, false)),
                zone: d.zone,
                hours,
                holidays: c.holidays().len().to_string(),
                name,
            }
        })
        .collect();
    let page = ListPage {
        chrome: signed.chrome("admin"),
        tab: "calendars",
        calendars,
        error,
    };
    Ok(page.render()?)
}

pub(crate) async fn list(
    State(ui): State<CalendarScreens>,
    Admin(signed): Admin,
) -> Result<Response, UiError> {
    Ok(Html(list_page(&ui, &signed, String::new()).await?).into_response())
}

pub(crate) async fn new(Admin(signed): Admin) -> Result<Response, UiError> {
    let html = form_page(&signed, None, &Draft::empty(), Problems::default())?;
    Ok(Html(html).into_response())
}

pub(crate) async fn edit(
    State(sla): State<Sla>,
    Admin(signed): Admin,
    Path(name): Path<String>,
) -> Result<Response, UiError> {
    let calendars = sla.calendars(signed.actor()).await?;
    let (_, c) = calendars
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or(UiError::NotFound)?;
    let html = form_page(
        &signed,
        Some(&name),
        &Draft::of(&name, c),
        Problems::default(),
    )?;
    Ok(Html(html).into_response())
}

/// Writes the calendar, or shows the form again with what is wrong.
async fn write(
    ui: &CalendarScreens,
    form: AdminForm,
    existing: Option<&str>,
) -> Result<Response, UiError> {
    let draft = Draft::from_form(&form.fields);
    let actor = form.signed.actor();
    let outcome = match draft.calendar() {
        Err(p) => Err(p),
        Ok(c) => {
            let done = match existing {
                Some(old) => ui.sla.replace_calendar(actor, old, &draft.name, &c).await,
                None => ui.sla.add_calendar(actor, &draft.name, &c).await,
            };
            match done {
                Ok(()) => Ok(()),
                Err(e) => Err(Problems::from_core_named(e)?),
            }
        }
    };
    answer(outcome, "/admin/calendars", async |p| {
        form_page(&form.signed, existing, &draft, p)
    })
    .await
}

pub(crate) async fn create(
    State(ui): State<CalendarScreens>,
    form: AdminForm,
) -> Result<Response, UiError> {
    write(&ui, form, None).await
}

pub(crate) async fn save(
    State(ui): State<CalendarScreens>,
    Path(name): Path<String>,
    form: AdminForm,
) -> Result<Response, UiError> {
    write(&ui, form, Some(&name)).await
}

pub(crate) async fn delete(
    State(ui): State<CalendarScreens>,
    Path(name): Path<String>,
    form: AdminForm,
) -> Result<Response, UiError> {
    match ui.sla.delete_calendar(form.signed.actor(), &name).await {
        Ok(()) => Ok(Redirect::to("/admin/calendars").into_response()),
        Err(CoreError::Conflict(m)) => {
            let html = list_page(&ui, &form.signed, format!("Not deleted: {m}.")).await?;
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
