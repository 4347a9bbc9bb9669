//! Endpoints declared once. A handler's `#[utoipa::path]` says its path, its method and
//! what it answers; [`endpoint`] reads those back to mount the handler and to document
//! it, so a route is spelled in one place. Resources group the endpoints of one path:
//! their `Allow` header is computed from the methods declared.

use actix_web::{FromRequest, Handler, HttpResponse, Resource, Responder, http::Method, web};
use utoipa::{
    __dev::{SchemaReferences, Tags},
    openapi::{
        Components, RefOr,
        path::{HttpMethod, PathItemBuilder, PathsBuilder},
        schema::Schema,
    },
};

use crate::error::ApiError;

/// One handler as its `#[utoipa::path]` declares it.
pub struct Endpoint {
    path: String,
    methods: Vec<Method>,
    document: fn(PathsBuilder) -> PathsBuilder,
    /// Adds the schemas its answers name.
    schemas: fn(&mut Vec<(String, RefOr<Schema>)>),
    mount: Box<dyn Fn(Resource) -> Resource + Send + Sync>,
}

/// The endpoint of `handler`, whose `#[utoipa::path]` generated `Doc`.
pub fn endpoint<Doc, H, Args>(handler: H) -> Endpoint
where
    Doc: utoipa::Path + for<'t> Tags<'t> + SchemaReferences,
    H: Handler<Args> + Send + Sync,
    Args: FromRequest + 'static,
    H::Output: Responder + 'static,
{
    let methods: Vec<Method> = Doc::methods().iter().map(actix_method).collect();
    let routed = methods.clone();
    Endpoint {
        path: Doc::path(),
        methods,
        document: document_one::<Doc>,
        schemas: Doc::schemas,
        mount: Box::new(move |resource| {
            routed.iter().fold(resource, |resource, method| {
                resource.route(web::method(method.clone()).to(handler.clone()))
            })
        }),
    }
}

/// Adds `Doc`'s operation under its path and methods, with its tags, as utoipa's
/// `#[openapi(paths(...))]` would.
fn document_one<Doc>(paths: PathsBuilder) -> PathsBuilder
where
    Doc: utoipa::Path + for<'t> Tags<'t>,
{
    let mut operation = Doc::operation();
    let tags = <Doc as Tags>::tags();
    operation
        .tags
        .get_or_insert_with(Vec::new)
        .extend(tags.into_iter().map(str::to_owned));
    let item = Doc::methods()
        .into_iter()
        .fold(PathItemBuilder::new(), |item, method| {
            item.operation(method, operation.clone())
        })
        .build();
    paths.path(Doc::path(), item)
}

fn actix_method(method: &HttpMethod) -> Method {
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}

/// The endpoints of one path, in the order they were declared.
pub struct PathGroup<'a> {
    pub path: &'a str,
    endpoints: Vec<&'a Endpoint>,
    /// The methods they take, as the `Allow` header lists them.
    allow: String,
}

impl<'a> PathGroup<'a> {
    /// `endpoints` grouped by path, each group where its path first appears (actix tries
    /// resources in that order: a fixed path before a template that would match it).
    pub fn of(endpoints: &'a [Endpoint]) -> Vec<Self> {
        let mut groups: Vec<PathGroup<'a>> = Vec::new();
        for endpoint in endpoints {
            match groups.iter_mut().find(|group| group.path == endpoint.path) {
                Some(group) => group.endpoints.push(endpoint),
                None => groups.push(PathGroup {
                    path: &endpoint.path,
                    endpoints: vec![endpoint],
                    allow: String::new(),
                }),
            }
        }
        for group in &mut groups {
            let methods: Vec<&str> = group
                .endpoints
                .iter()
                .flat_map(|endpoint| endpoint.methods.iter().map(Method::as_str))
                .collect();
            group.allow = methods.join(", ");
        }
        groups
    }
}

impl PathGroup<'static> {
    /// A resource at `pattern` named after the full path (the route label of metrics
    /// and logs), with the group's handlers, answering any other method with a JSON 405
    /// that lists the methods it takes.
    pub fn resource(&'static self, pattern: &str) -> Resource {
        let allow: &'static str = &self.allow;
        let resource = web::resource(pattern.to_owned())
            .name(self.path)
            .default_service(web::to(move || async move {
                Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow })
            }));
        self.endpoints
            .iter()
            .fold(resource, |resource, endpoint| (endpoint.mount)(resource))
    }
}

/// Documents `endpoints` in `doc`: their paths, and the schemas their answers name (as
/// utoipa's `#[openapi(paths(...))]` would).
pub fn document(doc: &mut utoipa::openapi::OpenApi, endpoints: &[&Endpoint]) {
    doc.paths = endpoints
        .iter()
        .fold(PathsBuilder::new(), |paths, endpoint| {
            (endpoint.document)(paths)
        })
        .build();
    let mut schemas = Vec::new();
    for endpoint in endpoints {
        (endpoint.schemas)(&mut schemas);
    }
    doc.components
        .get_or_insert_with(Components::new)
        .schemas
        .extend(schemas);
}
