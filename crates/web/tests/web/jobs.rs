//! The job queue over HTTP, for administrators: dead jobs listed with their last error, the
//! other states on request, pages newest first, and a dead job retried once (a job that is
//! not dead is a conflict). Refusals change nothing. Runs on SQLite and on PostgreSQL.

use crate::support;

use serde_json::Value;
use support::{App, TestResult, ids, req};

support::stories!(admins_read_and_retry_dead_jobs);

async fn list(app: &App, who: &support::Person, query: &str) -> TestResult<Value> {
    let path = format!("/api/v1/jobs{query}");
    let reply = app.send(req("GET", &path).token(who)).await;
    reply.expect_status(200, &path)?;
    reply.json()
}

async fn admins_read_and_retry_dead_jobs(store: &frontline_core::Store) -> TestResult {
    let app = App::new(store).await?;
    let cast = app.cast().await?;
    let admin = &cast.admin;
    let mut dead = Vec::new();
    for _ in 0..3 {
        dead.push(app.dead_job().await?);
    }
    // An SLA-free desk queues nothing else; one job waits in the queue.
    let queued = {
        let now = app.desk.now().as_micros();
        let job = frontline_store::jobs::NewJob {
            kind: "notify".into(),
            payload: r#"{"ticket_id":1,"reason":"test","recipients":[]}"#.into(),
            dedup_key: None,
            run_at: now + 3_600_000_000,
            max_attempts: 3,
        };
        let mut tx = app.desk.store().begin().await?;
        let id = tx
            .conn()
            .enqueue_job(&job, now)
            .await?
            .ok_or("not queued")?;
        tx.commit().await?;
        id
    };

    let page = list(&app, admin, "?state=dead").await?;
    let newest_first: Vec<i64> = dead.iter().rev().copied().collect();
    assert_eq!(ids(&page), newest_first);
    let first = &page["items"][0];
    assert_eq!(first["state"], "dead");
    assert_eq!(first["kind"], "webhook");
    assert_eq!(first["attempts"], 1);
    assert_eq!(first["last_error"], "the chat server said 503");
    assert!(first["finished_at"].is_string());
    assert_eq!(
        ids(&list(&app, admin, "?state=queued").await?),
        [queued.get()]
    );
    assert!(ids(&list(&app, admin, "?state=done").await?).is_empty());
    let mut everything = newest_first.clone();
    everything.insert(0, queued.get());
    assert_eq!(ids(&list(&app, admin, "").await?), everything);

    // Paging one at a time walks the same jobs; a cursor belongs to its state's list.
    let mut walked = Vec::new();
    let mut query = "?state=dead&limit=1".to_owned();
    loop {
        let page = list(&app, admin, &query).await?;
        walked.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("?state=dead&limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(walked, newest_first);
    let cursor = list(&app, admin, "?state=dead&limit=1").await?["next_cursor"]
        .as_str()
        .ok_or("no cursor")?
        .to_owned();

    // Bad queries are 400s naming the parameter.
    for (query, name) in [
        ("?state=running", "state"),
        ("?state=", "state"),
        ("?kind=notify", "kind"),
        ("?limit=0", "limit"),
        (&format!("?state=queued&cursor={cursor}") as &str, "cursor"),
    ] {
        let path = format!("/api/v1/jobs{query}");
        app.send(req("GET", &path).token(admin))
            .await
            .field_problem(400, name, &path)?;
    }

    // Retrying a dead job queues it again, due now, with fresh attempts; it is dead no more.
    let before = list(&app, admin, "").await?;
    let target = dead[1];
    let retry = format!("/api/v1/jobs/{target}/retry");
    for who in [&cast.agent, &cast.manager] {
        app.send(req("POST", &retry).token(who))
            .await
            .problem(403, "retrying as staff")?;
    }
    app.send(req("POST", "/api/v1/jobs/0/retry").token(admin))
        .await
        .problem(404, "retrying no job")?;
    app.send(req("POST", &format!("/api/v1/jobs/{queued}/retry")).token(admin))
        .await
        .problem(409, "retrying a queued job")?;
    app.send(req("POST", "/api/v1/jobs/abc/retry").token(admin))
        .await
        .problem(400, "retrying a job that is no number")?;
    assert_eq!(
        list(&app, admin, "").await?,
        before,
        "refusals changed nothing"
    );

    let reply = app.send(req("POST", &retry).token(admin)).await;
    reply.expect_status(200, "retrying the dead job")?;
    let job = reply.json()?;
    assert_eq!(
        (job["id"].as_i64(), &job["state"]),
        (Some(target), &Value::from("queued"))
    );
    assert_eq!(job["attempts"], 0);
    assert!(job["finished_at"].is_null());
    let still_dead: Vec<i64> = newest_first
        .iter()
        .copied()
        .filter(|d| *d != target)
        .collect();
    assert_eq!(ids(&list(&app, admin, "?state=dead").await?), still_dead);
    assert!(ids(&list(&app, admin, "?state=queued").await?).contains(&target));
    // Once is enough: it is queued now, so a second retry is a conflict.
    app.send(req("POST", &retry).token(admin))
        .await
        .problem(409, "retrying twice")?;
    Ok(())
}
