//! Owned mode's list of an owner's drafts: a `Query` of the sparse `byOwner` index (only owned
//! items carry `owner`), newest first, live drafts only.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Select};
use chrono::{DateTime, Utc};

use super::error::store_error;
use super::item::{
    is_live, item_to_session, key, n, number, COMPLETED_STEPS, CREATED_AT, KEY_ATTRIBUTE,
    OWNER_ATTRIBUTE, OWNER_INDEX, PROJECT_DATA, TITLE, VERSION,
};
use super::DynamoStore;
use crate::domain::{Field, Owner, SessionId};
use crate::store::{Page, PageStart, StoreError, StoreList};

/// Every page reads at most this many index entries, live or not.
const READ_PER_PAGE_MAX: i32 = 100;

impl DynamoStore {
    async fn query_owner(
        &self,
        owner: &Owner,
        start: Option<&PageStart>,
        read: i32,
        select: Select,
    ) -> Result<(Vec<HashMap<String, AttributeValue>>, Option<PageStart>), StoreError> {
        let start_key = start.map(|start| {
            HashMap::from([
                (
                    OWNER_ATTRIBUTE.to_string(),
                    AttributeValue::S(owner.as_str().into()),
                ),
                (CREATED_AT.to_string(), n(start.created_at)),
                (KEY_ATTRIBUTE.to_string(), key(start.id)),
            ])
        });
        let output = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(OWNER_INDEX)
            .key_condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", OWNER_ATTRIBUTE)
            .expression_attribute_values(":owner", AttributeValue::S(owner.as_str().into()))
            .scan_index_forward(false)
            .limit(read)
            .select(select)
            .set_exclusive_start_key(start_key)
            .send()
            .await
            .map_err(store_error)?;
        let next = match output.last_evaluated_key() {
            Some(last) => Some(PageStart {
                created_at: number(last, CREATED_AT)?,
                id: last
                    .get(KEY_ATTRIBUTE)
                    .and_then(|v| v.as_s().ok())
                    .and_then(|s| SessionId::parse(s))
                    .ok_or(super::item::MalformedItem(KEY_ATTRIBUTE))?,
            }),
            None => None,
        };
        Ok((output.items().to_vec(), next))
    }
}

impl StoreList for DynamoStore {
    /// One `Query` of `limit` index entries (at most 100): expired and deleted ones are read and
    /// left out, so a page may be short with more to come. The live test is made here, not in a
    /// filter expression, for the same clock as every other verb's.
    async fn list(
        &self,
        owner: &Owner,
        now: DateTime<Utc>,
        start: Option<&PageStart>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        let read = i32::try_from(limit)
            .unwrap_or(READ_PER_PAGE_MAX)
            .clamp(1, READ_PER_PAGE_MAX);
        let (items, next) = self
            .query_owner(owner, start, read, Select::AllProjectedAttributes)
            .await?;
        let drafts = items
            .iter()
            .filter(|item| is_live(item, now))
            .map(item_to_index_session)
            .collect::<Result<_, _>>()?;
        Ok(Page { drafts, next })
    }

    /// The owner's index entries, newest first, page by page until `enough` live drafts were
    /// seen or the index ends. Deleted drafts have left the index (their delete moved `owner`),
    /// so what is read beyond the live ones is only expired drafts the TTL sweep has not
    /// reached: one `Query` for an owner under the cap, however many drafts they deleted.
    async fn live_ids(
        &self,
        owner: &Owner,
        now: DateTime<Utc>,
        enough: usize,
    ) -> Result<Vec<SessionId>, StoreError> {
        let mut ids = Vec::new();
        let mut start = None;
        loop {
            let (items, next) = self
                .query_owner(
                    owner,
                    start.as_ref(),
                    READ_PER_PAGE_MAX,
                    Select::AllProjectedAttributes,
                )
                .await?;
            ids.extend(
                items
                    .iter()
                    .filter(|item| is_live(item, now))
                    .filter_map(|item| item.get(KEY_ATTRIBUTE)?.as_s().ok())
                    .filter_map(|id| SessionId::parse(id)),
            );
            match next {
                Some(next) if ids.len() < enough => start = Some(next),
                _ => return Ok(ids),
            }
        }
    }
}

/// An index entry as a session: what the index projects (its title, no other field, no create
/// token, no schema version).
fn item_to_index_session(
    item: &HashMap<String, AttributeValue>,
) -> Result<crate::domain::Session, StoreError> {
    let mut full = item.clone();
    if let Some((field, title)) = Field::TITLE.zip(full.remove(TITLE)) {
        full.insert(
            PROJECT_DATA.into(),
            AttributeValue::M(HashMap::from([(field.name().to_string(), title)])),
        );
    }
    // An index that still projects `projectData` (a stack from before `title`) lists from it.
    full.entry(PROJECT_DATA.into())
        .or_insert_with(|| AttributeValue::M(HashMap::new()));
    // The index leaves out what a picker does not need; the session reader wants them there.
    full.entry(COMPLETED_STEPS.into())
        .or_insert_with(|| AttributeValue::L(Vec::new()));
    full.entry(VERSION.into()).or_insert_with(|| n(0));
    Ok(item_to_session(&full)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FieldValue;

    fn entry(extra: Option<(&str, AttributeValue)>) -> HashMap<String, AttributeValue> {
        let mut item = HashMap::from([
            (KEY_ATTRIBUTE.to_string(), key(SessionId::generate())),
            (OWNER_ATTRIBUTE.to_string(), AttributeValue::S("ada".into())),
            (CREATED_AT.to_string(), n(1_800_000_000_000_i64)),
            ("lastActivity".to_string(), n(1_800_000_000_000_i64)),
            ("currentStep".to_string(), n(2)),
            ("expiresAt".to_string(), n(1_800_086_400)),
            ("maxExpiresAt".to_string(), n(1_800_604_800)),
        ]);
        item.extend(extra.map(|(k, v)| (k.to_string(), v)));
        item
    }

    #[test]
    fn an_index_entry_is_listed_under_its_title() {
        let session =
            item_to_index_session(&entry(Some((TITLE, AttributeValue::S("Tower".into())))))
                .unwrap();
        assert_eq!(
            session.project_data.get(&Field::ProjectName),
            Some(&FieldValue::Text("Tower".into()))
        );
        assert_eq!(session.current_step, 2);
    }

    #[test]
    fn an_entry_of_an_index_that_still_projects_project_data_keeps_its_name() {
        let data = HashMap::from([
            ("projectName".to_string(), AttributeValue::S("Older".into())),
            (
                "buildingType".to_string(),
                AttributeValue::S("Office".into()),
            ),
        ]);
        let session =
            item_to_index_session(&entry(Some((PROJECT_DATA, AttributeValue::M(data))))).unwrap();
        assert_eq!(
            session.project_data.get(&Field::ProjectName),
            Some(&FieldValue::Text("Older".into()))
        );
    }

    #[test]
    fn an_untitled_entry_is_listed_without_a_name() {
        let session = item_to_index_session(&entry(None));
        assert!(session.unwrap().project_data.is_empty());
    }
}
