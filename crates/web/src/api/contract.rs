//! The answers every operation may give whatever it does, added to the generated OpenAPI
//! document in one place rather than repeated on each handler: 401 where a token is needed,
//! 400/413/415/422 where a JSON body is read, 400 where path, query or header parameters are
//! parsed, 404 where the path names something, and every error as `application/problem+json`
//! with the `Problem` schema (what `problem.rs` sends). The handlers' own annotations say the
//! rest (403, 409, 412).

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

/// The media type of every error the API answers.
pub const PROBLEM: &str = "application/problem+json";

/// Adds the common answers to every operation of `doc` and gives every error response the
/// problem media type.
pub fn complete(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            complete_operation(op);
        }
    }
}

fn complete_operation(op: &mut Operation) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let json_body =
        matches!(&op.request_body, Some(RefOr::T(b)) if b.content.contains_key("application/json"));
    let any_body = op.request_body.is_some();
    let located = |places: &[ParameterIn]| {
        op.parameters.iter().flatten().any(|p| match p {
            RefOr::T(p) => places.contains(&p.parameter_in),
            RefOr::Ref(_) => true,
        })
    };
    let parsed_params = located(&[ParameterIn::Path, ParameterIn::Query, ParameterIn::Header]);
    let path_params = located(&[ParameterIn::Path]);
    if secured {
        add(op, 401, "No token, or one that matches nobody");
    }
    if any_body {
        add(op, 413, "The body is too large");
        add(op, 415, "The body is not of the declared media type");
    }
    if json_body {
        add(op, 400, "Malformed JSON, or a bad parameter or header");
        add(op, 422, "A value breaks a rule; `errors` names each field");
    }
    if parsed_params {
        add(op, 400, "A path, query or header parameter is not valid");
    }
    if path_params {
        // Also a path no route matches, such as a name with a `/` in it.
        add(op, 404, "No such thing, or not one the caller may see");
    }
    for (status, response) in &mut op.responses.responses {
        if !status.starts_with('4') && !status.starts_with('5') {
            continue;
        }
        if let RefOr::T(response) = response {
            as_problem(response);
        }
    }
}

/// Declares `status` with a problem body unless the handler already did.
fn add(op: &mut Operation, status: u16, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            let mut response = Response::new(description);
            as_problem(&mut response);
            RefOr::T(response)
        });
}

/// Error bodies are problem details, whatever media type the annotation named.
fn as_problem(response: &mut Response) {
    response.content.clear();
    let content = Content::new(Some(Ref::from_schema_name("Problem")));
    response
        .content
        .insert(PROBLEM.to_owned(), RefOr::T(content));
}
