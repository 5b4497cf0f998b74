//! Streams over every item of a collection, fetched a page at a time with `$top` and `$skip`.
//!
//! ```no_run
//! # async fn run(client: xapi_client::Client) -> Result<(), xapi_client::Error> {
//! use futures::TryStreamExt;
//! use xapi_client::Query;
//!
//! let users = client.paginate(Query::new().order_by("Id"), |page| async move {
//!     page.list_user().await
//! });
//! futures::pin_mut!(users);
//! while let Some(user) = users.try_next().await? {
//!     println!("{:?}", user.number);
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::future::Future;

use futures::Stream;
use progenitor_client::{ClientHooks, OperationInfo};

use crate::{Client, Error, Query, ResponseValue};

/// Default number of items requested per page: the `$top` limit several PBX entity sets
/// enforce (they reject a larger `$top` with 400).
pub const DEFAULT_PAGE_SIZE: u64 = 100;

/// A collection reply: a page of items with the optional count and next link.
///
/// The generator implements it for every generated type with a `value` array.
pub trait Collection {
    /// Type of the items.
    type Item;

    /// Splits the reply into its items, `@odata.count` and `@odata.nextLink`.
    fn into_page(self) -> Page<Self::Item>;
}

/// One page of a collection.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Total number of matching items (`@odata.count`), when the server sent it.
    pub count: Option<i64>,
    /// URL of the next page (`@odata.nextLink`), when the server sent one.
    pub next_link: Option<String>,
}

impl<T> Page<T> {
    /// Creates a page without count or next link.
    pub fn new(items: Vec<T>) -> Self {
        Page {
            items,
            count: None,
            next_link: None,
        }
    }

    /// Sets the count and next link.
    pub fn with_links(mut self, count: Option<i64>, next_link: Option<String>) -> Self {
        self.count = count;
        self.next_link = next_link;
        self
    }
}

/// Where the next page comes from.
enum Next {
    /// Call the operation again with this `$skip`.
    Skip(u64),
    /// Request this URL as the server gave it.
    Link(String),
    /// No more pages.
    Done,
}

struct State<T, F> {
    client: Client,
    query: Query,
    call: F,
    page_size: u64,
    limit: Option<u64>,
    yielded: u64,
    buffer: VecDeque<T>,
    next: Next,
}

impl Client {
    /// Streams every item of a collection, [`DEFAULT_PAGE_SIZE`] items per request.
    ///
    /// `call` runs the collection operation on the client it is given, which carries the
    /// page's `$top` and `$skip` on top of `query`. `query.top` limits the total number of
    /// items and `query.skip` the starting offset. The stream ends on a short page, when
    /// `@odata.count` items have been read (when `query.count` is set), or when the limit is
    /// reached; it follows `@odata.nextLink` verbatim when the server sends one. At most one
    /// page is held in memory.
    pub fn paginate<C, F, Fut>(
        &self,
        query: Query,
        call: F,
    ) -> impl Stream<Item = Result<C::Item, Error>> + use<C, F, Fut>
    where
        C: Collection + serde::de::DeserializeOwned,
        F: Fn(Client) -> Fut,
        Fut: Future<Output = Result<ResponseValue<C>, Error>>,
    {
        self.paginate_by(DEFAULT_PAGE_SIZE, query, call)
    }

    /// [`Client::paginate`] with `page_size` items per request.
    pub fn paginate_by<C, F, Fut>(
        &self,
        page_size: u64,
        query: Query,
        call: F,
    ) -> impl Stream<Item = Result<C::Item, Error>> + use<C, F, Fut>
    where
        C: Collection + serde::de::DeserializeOwned,
        F: Fn(Client) -> Fut,
        Fut: Future<Output = Result<ResponseValue<C>, Error>>,
    {
        let start = query.skip.unwrap_or(0);
        let state = State {
            client: self.clone(),
            limit: query.top,
            query,
            call,
            page_size: page_size.max(1),
            yielded: 0,
            buffer: VecDeque::new(),
            next: Next::Skip(start),
        };
        futures::stream::try_unfold(state, |mut state| async move {
            loop {
                if state.limit.is_some_and(|limit| state.yielded >= limit) {
                    return Ok(None);
                }
                if let Some(item) = state.buffer.pop_front() {
                    state.yielded += 1;
                    return Ok(Some((item, state)));
                }
                let page = match std::mem::replace(&mut state.next, Next::Done) {
                    Next::Done => return Ok(None),
                    Next::Skip(skip) => fetch_page(&state, skip).await?,
                    Next::Link(url) => fetch_link::<C>(&state.client, &url).await?,
                };
                state.next = next_after(&state, &page);
                state.buffer.extend(page.items);
                if state.buffer.is_empty() {
                    return Ok(None);
                }
            }
        })
    }

    /// Returns the number of items matching `query` (`$count=true` with `$top=0`).
    pub async fn count<C, F, Fut>(&self, query: Query, call: F) -> Result<u64, Error>
    where
        C: Collection,
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<ResponseValue<C>, Error>>,
    {
        let client = self.with_query(query.top(0).skip(0).count(true));
        let page = call(client).await?.into_inner().into_page();
        page.count
            .map(|count| count.max(0) as u64)
            .ok_or_else(|| Error::Decode {
                operation_id: "count",
                message: "the reply has no @odata.count although $count=true was sent".to_owned(),
                excerpt: String::new(),
            })
    }
}

async fn fetch_page<T, C, F, Fut>(state: &State<T, F>, skip: u64) -> Result<Page<T>, Error>
where
    C: Collection<Item = T>,
    F: Fn(Client) -> Fut,
    Fut: Future<Output = Result<ResponseValue<C>, Error>>,
{
    let remaining = state
        .limit
        .map(|limit| limit.saturating_sub(state.yielded))
        .unwrap_or(u64::MAX);
    let mut query = state.query.clone();
    query.top = Some(state.page_size.min(remaining));
    query.skip = Some(skip);
    let reply = (state.call)(state.client.with_query(query)).await?;
    Ok(reply.into_inner().into_page())
}

/// Requests a server-given next link through the client's hooks (authentication, retries).
async fn fetch_link<C>(client: &Client, url: &str) -> Result<Page<C::Item>, Error>
where
    C: Collection + serde::de::DeserializeOwned,
{
    const OPERATION: &str = "nextLink";
    let info = OperationInfo {
        operation_id: OPERATION,
    };
    let mut request = client
        .client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .build()
        .map_err(|source| crate::error::transport(OPERATION, source))?;
    client
        .pre::<()>(&mut request, &info)
        .await
        .map_err(|error| Error::Auth {
            operation_id: Some(OPERATION),
            status: None,
            message: error.to_string(),
        })?;
    let response = client
        .exec(request, &info)
        .await
        .map_err(|source| crate::error::transport(OPERATION, source))?;
    let status = response.status().as_u16();
    let bytes = response
        .bytes()
        .await
        .map_err(|source| crate::error::transport(OPERATION, source))?;
    if !(200..300).contains(&status) {
        let body = serde_json::from_slice(&bytes).unwrap_or_default();
        return Err(crate::error::api_error(OPERATION, status, &body));
    }
    let collection: C = serde_json::from_slice(&bytes).map_err(|error| Error::Decode {
        operation_id: OPERATION,
        message: error.to_string(),
        excerpt: crate::error::excerpt(&bytes),
    })?;
    Ok(collection.into_page())
}

/// Decides where the page after `page` comes from.
fn next_after<T, F>(state: &State<T, F>, page: &Page<T>) -> Next {
    if let Some(link) = &page.next_link {
        return Next::Link(link.clone());
    }
    let fetched = state.yielded + state.buffer.len() as u64 + page.items.len() as u64;
    let start = state.query.skip.unwrap_or(0);
    let short = (page.items.len() as u64) < state.page_size;
    let counted_out = page
        .count
        .is_some_and(|count| fetched + start >= count.max(0) as u64);
    let limited = state.limit.is_some_and(|limit| fetched >= limit);
    match short || counted_out || limited || page.items.is_empty() {
        true => Next::Done,
        false => Next::Skip(start + fetched),
    }
}
