#include "messaging_fixture.h"

#include "base/ids.h"
#include "crypto/random.h"

namespace hippocrate::messaging::testing {

void MessagingFixture::SetUp() {
  store::StoreOptions o;
  o.url = (dir_.path() / "messaging.db").string();
  o.clock = &clock_;
  auto opened = store::open_store(o);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  store_ = std::move(*opened);
  audit_ = std::make_unique<audit::AuditLog>(clock_, crypto::random_secret(32));
  service_ = std::make_unique<MessagingService>(*store_, clock_, *audit_);
  org1_ = random_id();
  org2_ = random_id();
  ASSERT_OK(store_->write([&](store::Transaction& tx) -> Status {
    for (const auto& org : {org1_, org2_}) {
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "INSERT INTO organisations (id, name, created_at) VALUES (?, 'Org', 0)", {org}));
    }
    return ok_status();
  }));
  admin_ = add_account("admin", org1_);
  doc_ = add_account("practitioner", org1_);
  doc2_ = add_account("practitioner", org1_);
  assistant_ = add_account("assistant", org1_);
  patient_ = add_account("patient", org1_);
  patient2_ = add_account("patient", org1_);
  auditor_ = add_account("auditor", org1_);
  other_org_doc_ = add_account("practitioner", org2_);
  add_care(doc_.account_id, patient_.account_id, "active", &active_care_id_);
}

Actor MessagingFixture::add_account(const std::string& role, const std::string& organisation) {
  Actor a;
  a.account_id = random_id();
  a.organisation_id = organisation;
  a.role = *auth::parse_role(role);
  a.session_id = random_id();
  a.source_address = "127.0.0.1";
  EXPECT_OK(store_->write([&](store::Transaction& tx) -> Status {
    auto r = tx.execute(
        "INSERT INTO accounts (id, organisation_id, email, display_name, role, "
        "password_hash, status, created_at, password_changed_at) "
        "VALUES (?, ?, ?, 'Someone', ?, 'x', 'active', 0, 0)",
        {a.account_id, organisation, a.account_id + "@example.org", role});
    if (!r) return r.error();
    return ok_status();
  }));
  return a;
}

void MessagingFixture::add_care(const std::string& practitioner, const std::string& patient,
                                const std::string& status, std::string* id) {
  const std::string care_id = random_id();
  if (id) *id = care_id;
  EXPECT_OK(store_->write([&](store::Transaction& tx) -> Status {
    auto r = tx.execute(
        "INSERT INTO care_relationships (id, organisation_id, practitioner_id, patient_id, "
        "status, created_at) VALUES (?, ?, ?, ?, ?, 0)",
        {care_id, org1_, practitioner, patient, status});
    if (!r) return r.error();
    return ok_status();
  }));
}

std::string MessagingFixture::add_device(const Actor& who) {
  const std::string id = random_id();
  auto ids = devices_of(who);
  ids.push_back(id);
  DeviceListUpdate list{to_bytes("signed list of " + who.account_id),
                        ++list_versions_[who.account_id], ids};
  auto r = service_->devices().register_device(who, id, to_bytes("identity " + id), list);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  if (r.ok()) {
    EXPECT_FALSE(r->mismatch.has_value());
  }
  return id;
}

std::vector<std::string> MessagingFixture::devices_of(const Actor& who) {
  auto r =
      store_->read([&](store::Transaction& tx) { return current_devices(tx, who.account_id); });
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : std::vector<std::string>{};
}

SendRequest MessagingFixture::message_to(const Actor& from, const std::string& from_device,
                                         const Actor& to, const std::string& body) {
  SendRequest r{random_id(), to.account_id, from_device, {}};
  std::set<std::string> targets;
  for (const auto& d : devices_of(to)) targets.insert(d);
  for (const auto& d : devices_of(from)) {
    if (d != from_device) targets.insert(d);
  }
  for (const auto& d : targets) r.envelopes.push_back({d, to_bytes(body + " for " + d)});
  return r;
}

std::vector<audit::StoredAuditRecord> MessagingFixture::audit_records(const std::string& action) {
  audit::AuditFilter f;
  f.action = action;
  f.limit = 1000;
  auto r = audit::AuditLog::search(*store_, f);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : std::vector<audit::StoredAuditRecord>{};
}

std::int64_t MessagingFixture::mailbox_rows() {
  auto n = store_->read([](store::Transaction& tx) -> Result<std::int64_t> {
    HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COUNT(*) FROM mailbox"));
    return row->int64(0);
  });
  EXPECT_TRUE(n.ok());
  return n.ok() ? *n : -1;
}

}  // namespace hippocrate::messaging::testing
