//! "My requests": everything the requester opened or may follow, newest first.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use frontline_core::Views;

use crate::error::UiError;
use crate::session::Requester;
use crate::view::{Chrome, TicketLine};

const MOST: i64 = 200;

#[derive(Template)]
#[template(path = "portal/list.html")]
struct ListPage {
    chrome: Chrome,
    tickets: Vec<TicketLine>,
}

pub(crate) async fn page(
    State(views): State<Views>,
    Requester(signed): Requester,
) -> Result<Html<String>, UiError> {
    let tickets = views.my_requests(signed.actor(), MOST).await?;
    let page = ListPage {
        chrome: signed.chrome("portal"),
        tickets: tickets.iter().map(TicketLine::of).collect(),
    };
    Ok(Html(page.render()?))
}
