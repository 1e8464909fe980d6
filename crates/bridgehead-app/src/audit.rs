//! Reading and verifying the audit chain.

use bridgehead_domain::access::Role;
use bridgehead_store::audit::{self, AuditQuery, AuditRecord, ChainHead, VerifyReport};

use crate::{Actor, App, AppResult};

impl App {
    pub async fn audit_records(&self, actor: &Actor, query: &AuditQuery) -> AppResult<Vec<AuditRecord>> {
        actor.require(&[Role::Administrator], "read the audit log")?;
        Ok(audit::list(&mut *self.store.read().await?, query).await?)
    }

    pub async fn audit_verify(&self, actor: &Actor) -> AppResult<VerifyReport> {
        actor.require(&[Role::Administrator], "verify the audit log")?;
        Ok(audit::verify(&mut *self.store.read().await?).await?)
    }

    pub async fn audit_head(&self, actor: &Actor) -> AppResult<ChainHead> {
        actor.require(&[Role::Administrator], "read the audit log")?;
        Ok(audit::head(&mut *self.store.read().await?).await?)
    }
}
