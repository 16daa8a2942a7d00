//! What a page shows of a registered picture beyond the public facts of its record (DESIGN
//! §6): its title, author, owner's name and thumbnail, only when the owner registered it as
//! public, or to the owner.

use crate::domain::EvidenceKind;
use crate::service::images::ImageMatch;
use crate::store::{EvidenceRecord, Store};

/// A registered picture's title, author, owner's name and thumbnail address.
pub struct PictureFacts {
    pub title: Option<String>,
    pub author: Option<String>,
    pub owner: Option<String>,
    pub thumbnail: String,
}

impl PictureFacts {
    /// A search match's facts, present only for a public registration.
    pub fn of_match(m: &ImageMatch) -> Option<Self> {
        let thumbnail = m.thumbnail.clone()?;
        Some(Self { title: m.title.clone(), author: m.author.clone(), owner: m.owner.clone(), thumbnail })
    }
}

/// An image record on its certificate.
pub struct PictureView {
    pub public: bool,
    /// `None` for a private picture seen by anyone but its owner.
    pub facts: Option<PictureFacts>,
}

/// The picture of `r`, if it is a registered picture; `owner_looking`: the visitor is its owner.
pub async fn picture_view(
    store: &Store,
    r: &EvidenceRecord,
    owner_looking: bool,
) -> anyhow::Result<Option<PictureView>> {
    if r.kind != EvidenceKind::Image {
        return Ok(None);
    }
    // An `image` registered by hash only (`POST /v1/evidence`) has no picture.
    let Some(image) = store.image(r.seq).await? else { return Ok(None) };
    if !image.public && !owner_looking {
        return Ok(Some(PictureView { public: false, facts: None }));
    }
    let text = |key: &str| r.metadata.as_ref().and_then(|m| m.get(key)?.as_str().map(str::to_owned));
    let facts = PictureFacts {
        title: text("title"),
        author: text("author"),
        owner: store.tenant(&r.owner).await?.map(|t| t.name),
        thumbnail: format!("/e/{}/thumbnail.jpg", r.id),
    };
    Ok(Some(PictureView { public: image.public, facts: Some(facts) }))
}
