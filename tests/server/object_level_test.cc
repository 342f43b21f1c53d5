// Object-level authorization over real TLS: two organisations, patients in every care
// relationship state, an assistant with a delegation. Each case is (who, which route on
// which object, expected status); every refusal must also be in the audit log. The state ×
// organisation table for patient routes is written out here, independently of the policy
// code, so a change in the policy that alters a decision fails the test.
#include <gtest/gtest.h>

#include <set>

#include "access/access_log.h"
#include "access/policy.h"
#include "deployment.h"

namespace hippocrate::server {
namespace {

using auth::Role;
using testing::Deployment;

class ObjectLevelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& d = dep_;
    auto boot = d.auth->bootstrap("Clinique A", "admin@a.org");
    d.accept(boot->token.text.view(), "admin@a.org", "Admin A");
    d.invite("admin@a.org", "doc@a.org", Role::kPractitioner);
    d.invite("admin@a.org", "doc2@a.org", Role::kPractitioner);
    d.invite("admin@a.org", "assist@a.org", Role::kAssistant);
    d.invite("admin@a.org", "audit@a.org", Role::kAuditor);
    d.invite("admin@a.org", "leaver@a.org", Role::kPractitioner);
    auto org_b = d.auth->create_organisation("Cabinet B", "admin@b.org");
    ASSERT_TRUE(org_b.ok()) << org_b.error().to_string();
    d.accept(org_b->token.text.view(), "admin@b.org", "Admin B");
    d.invite("admin@b.org", "doc@b.org", Role::kPractitioner);
    d.invite("admin@b.org", "assist@b.org", Role::kAssistant);

    // Patients of doc@a.org in each state, and of others.
    d.invite("doc@a.org", "p-active@x.org", Role::kPatient);  // active with doc@a
    d.invite("doc@a.org", "p-ended@x.org", Role::kPatient);   // then ended
    end_all("p-ended@x.org");
    d.invite("doc2@a.org", "p-invited@x.org", Role::kPatient);  // doc2's; doc@a asks
    ASSERT_TRUE(d.care->request_link(d.login("doc@a.org").session, "p-invited@x.org").ok());
    d.invite("doc2@a.org", "p-none@x.org", Role::kPatient);    // doc2's only
    d.invite("doc@b.org", "pb-active@x.org", Role::kPatient);  // org B; doc@a linked too
    ASSERT_TRUE(d.care->request_link(d.login("doc@a.org").session, "pb-active@x.org").ok());
    accept_pending("pb-active@x.org");
    d.invite("doc@b.org", "pb-none@x.org", Role::kPatient);  // org B only

    auto g = d.delegations->grant(d.login("doc@a.org").session, "assist@a.org", "127.0.0.1");
    ASSERT_TRUE(g.ok()) << g.error().to_string();
  }

  void end_all(const std::string& patient) {
    auto s = dep_.login(patient).session;
    auto list = dep_.care->practitioners_of(s);  // (not a temporary: the loop keeps it)
    for (const auto& c : *list) {
      ASSERT_TRUE(dep_.care->end(s, c.id).ok());
    }
  }
  void accept_pending(const std::string& patient) {
    auto s = dep_.login(patient).session;
    auto list = dep_.care->practitioners_of(s);
    for (const auto& c : *list) {
      if (c.status == "invited") {
        ASSERT_TRUE(dep_.care->accept(s, c.id).ok());
      }
    }
  }
  std::string id(const std::string& email) { return dep_.ids.at(email); }
  std::size_t denied(const std::string& action) {
    return dep_.audit_records(action, "denied").size();
  }

  Deployment dep_;
};

// Every registered route whose action has an object rule must be exercised by the object
// tests below: a new object-level route without cases here fails this test.
TEST_F(ObjectLevelTest, EveryObjectLevelRouteIsCoveredHere) {
  const std::set<std::string> covered = {
      "GET /api/v1/patients/{id}",          "GET /api/v1/accounts/{id}",
      "POST /api/v1/accounts/{id}/disable", "POST /api/v1/accounts/{id}/enable",
      "POST /api/v1/delegations",           "PUT /api/v1/accounts/{id}/rpps",
  };
  std::set<std::string> object_routes;
  for (const auto& route : dep_.router.routes()) {
    auto rule = access::object_rule_for(route->action);
    if (rule && *rule != access::ObjectRule::kNone) {
      object_routes.insert(route->method + " " + route->path_template);
    }
  }
  EXPECT_EQ(object_routes, covered);
}

struct PatientCase {
  std::string who;
  std::string patient;
  int status;
};

TEST_F(ObjectLevelTest, PatientReadsFollowRelationshipStateAndOrganisation) {
  // Relationship state of `who` with `patient` × same/other organisation → decision.
  const std::vector<PatientCase> cases = {
      // practitioner of organisation A
      {"doc@a.org", "p-active@x.org", 200},   // same org, active
      {"doc@a.org", "p-invited@x.org", 404},  // same org, invited (request not accepted)
      {"doc@a.org", "p-ended@x.org", 404},    // same org, ended
      {"doc@a.org", "p-none@x.org", 404},     // same org, none: another practitioner's
      {"doc@a.org", "pb-active@x.org", 200},  // other org, active (linked by request)
      {"doc@a.org", "pb-none@x.org", 404},    // other org, none
      // practitioner of organisation B
      {"doc@b.org", "pb-active@x.org", 200},  // same org, active
      {"doc@b.org", "p-active@x.org", 404},   // other org, none
      {"doc@b.org", "p-ended@x.org", 404},    // other org, none
      // assistant acting for doc@a (administrative view only)
      {"assist@a.org", "p-active@x.org", 200},
      {"assist@a.org", "p-invited@x.org", 404},
      {"assist@a.org", "p-ended@x.org", 404},
      {"assist@a.org", "p-none@x.org", 404},
      {"assist@a.org", "pb-active@x.org", 200},
      {"assist@b.org", "pb-active@x.org", 404},  // no delegation
      // patients: themselves only
      {"p-active@x.org", "p-active@x.org", 200},
      {"p-active@x.org", "p-none@x.org", 404},
      {"pb-none@x.org", "p-active@x.org", 404},
      // roles without access to patients at all
      {"admin@a.org", "p-active@x.org", 403},
      {"audit@a.org", "p-active@x.org", 403},
      {"admin@b.org", "pb-active@x.org", 403},
  };
  for (const auto& c : cases) {
    const std::size_t before = denied("patient.read");
    auto r = dep_.call(c.who, "GET", "/api/v1/patients/" + id(c.patient));
    EXPECT_EQ(r.status, c.status) << c.who << " → " << c.patient << ": " << r.body;
    if (c.status == 200) {
      EXPECT_EQ(denied("patient.read"), before);
      EXPECT_NE(r.body.find(id(c.patient)), std::string::npos);
    } else {
      // Refused and audited; the answer never tells a stranger's patient from no patient.
      EXPECT_EQ(denied("patient.read"), before + 1) << c.who << " → " << c.patient;
      EXPECT_EQ(Deployment::code_of(r),
                c.status == 404 ? "patient_not_found" : "permission_denied");
    }
  }
  // An ill-formed, over-long id: the same 404, and the refusal is still audited (under
  // "patient:invalid", never the raw text).
  const std::size_t before_long = denied("patient.read");
  auto long_id = dep_.call("doc@a.org", "GET", "/api/v1/patients/" + std::string(2000, 'x'));
  EXPECT_EQ(long_id.status, 404) << long_id.body;
  EXPECT_EQ(denied("patient.read"), before_long + 1);
  EXPECT_EQ(dep_.audit_records("patient.read", "denied", "patient:invalid").size(), 1u);
  // An id that exists nowhere answers exactly like someone else's patient.
  auto ghost = dep_.call("doc@a.org", "GET", "/api/v1/patients/0123456789abcdef0123456789abcdef");
  auto other = dep_.call("doc@a.org", "GET", "/api/v1/patients/" + id("p-none@x.org"));
  EXPECT_EQ(ghost.status, other.status);
  EXPECT_EQ(ghost.body, other.body);
}

TEST_F(ObjectLevelTest, AssistantsSeeAdministrativeDetailsOnlyAndLoseAccessOnRevoke) {
  auto r = dep_.call("assist@a.org", "GET", "/api/v1/patients/" + id("p-active@x.org"));
  ASSERT_EQ(r.status, 200) << r.body;
  // Only the relationships of the practitioners it acts for, never another practitioner's.
  auto linked = dep_.call("assist@a.org", "GET", "/api/v1/patients/" + id("pb-active@x.org"));
  ASSERT_EQ(linked.status, 200);
  EXPECT_EQ(linked.body.find("doc@b"), std::string::npos);
  EXPECT_EQ(linked.body.find(id("doc@b.org")), std::string::npos);
  auto list = dep_.call("assist@a.org", "GET", "/api/v1/patients");
  EXPECT_NE(list.body.find(id("p-active@x.org")), std::string::npos);
  EXPECT_EQ(list.body.find(id("p-none@x.org")), std::string::npos);
  // Revoked: the next request is refused.
  auto ds = dep_.delegations->list(dep_.login("doc@a.org").session);
  ASSERT_EQ(ds->size(), 1u);
  auto rv = dep_.call("doc@a.org", "POST", "/api/v1/delegations/" + (*ds)[0].id + "/revoke");
  ASSERT_EQ(rv.status, 204) << rv.body;
  EXPECT_EQ(dep_.call("assist@a.org", "GET", "/api/v1/patients/" + id("p-active@x.org")).status,
            404);
  auto after = dep_.call("assist@a.org", "GET", "/api/v1/patients");
  EXPECT_EQ(after.body.find(id("p-active@x.org")), std::string::npos);
  EXPECT_EQ(dep_.audit_records("delegation.revoke", "succeeded").size(), 1u);
}

TEST_F(ObjectLevelTest, DelegationStaysInsideTheOrganisation) {
  const std::size_t before = denied("delegation.grant");
  auto cross = dep_.call("doc@b.org", "POST", "/api/v1/delegations",
                         R"({"assistant_email":"assist@a.org"})");
  EXPECT_EQ(cross.status, 404) << cross.body;
  EXPECT_EQ(Deployment::code_of(cross), "assistant_not_found");
  auto unknown = dep_.call("doc@b.org", "POST", "/api/v1/delegations",
                           R"({"assistant_email":"nobody@a.org"})");
  EXPECT_EQ(unknown.body, cross.body);  // another organisation's account is not revealed
  auto not_assistant =
      dep_.call("doc@a.org", "POST", "/api/v1/delegations", R"({"assistant_email":"doc2@a.org"})");
  // A colleague of another role gets the same answer: a grant does not probe roles.
  EXPECT_EQ(not_assistant.status, 404) << not_assistant.body;
  EXPECT_EQ(not_assistant.body, cross.body);
  auto twice = dep_.call("doc@a.org", "POST", "/api/v1/delegations",
                         R"({"assistant_email":"assist@a.org"})");
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(denied("delegation.grant"), before + 4);
  auto as_patient = dep_.call("p-active@x.org", "POST", "/api/v1/delegations",
                              R"({"assistant_email":"assist@a.org"})");
  EXPECT_EQ(as_patient.status, 403);
}

TEST_F(ObjectLevelTest, AdministratorsOfOneOrganisationNeverTouchAnother) {
  // Listing: only one's own organisation.
  auto list_b = dep_.call("admin@b.org", "GET", "/api/v1/accounts");
  ASSERT_EQ(list_b.status, 200);
  EXPECT_NE(list_b.body.find("doc@b.org"), std::string::npos);
  EXPECT_EQ(list_b.body.find("@a.org"), std::string::npos);
  EXPECT_EQ(list_b.body.find("p-active"), std::string::npos);
  // Reading, disabling, enabling an account of organisation A from B: 404, audited.
  for (const auto& [method, suffix, action] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "", "account.read"},
           {"POST", "/disable", "account.disable"},
           {"POST", "/enable", "account.enable"}}) {
    const std::size_t before = denied(action);
    auto r = dep_.call("admin@b.org", method, "/api/v1/accounts/" + id("doc@a.org") + suffix);
    EXPECT_EQ(r.status, 404) << action << ": " << r.body;
    EXPECT_EQ(Deployment::code_of(r), "account_not_found");
    EXPECT_EQ(denied(action), before + 1) << action;
  }
  // Unlock by e-mail across organisations: not found either.
  auto unlock =
      dep_.call("admin@b.org", "POST", "/api/v1/accounts/unlock", R"({"email":"doc@a.org"})");
  EXPECT_EQ(unlock.status, 404) << unlock.body;
  // doc@a.org is untouched and still logs in.
  EXPECT_NO_THROW(dep_.login("doc@a.org"));
  // Its own administrator can disable it: sessions end at once, logins are refused.
  auto session = dep_.login("leaver@a.org");
  auto off =
      dep_.call("admin@a.org", "POST", "/api/v1/accounts/" + id("leaver@a.org") + "/disable");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_NE(off.body.find("\"disabled\""), std::string::npos);
  EXPECT_FALSE(dep_.auth->authenticate(session.token.text.view(), dep_.origin()).ok());
  EXPECT_THROW(dep_.login("leaver@a.org"), std::runtime_error);
  auto on = dep_.call("admin@a.org", "POST", "/api/v1/accounts/" + id("leaver@a.org") + "/enable");
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_NO_THROW(dep_.login("leaver@a.org"));
  EXPECT_EQ(dep_.audit_records("account.disable", "succeeded").size(), 1u);
  // The owner sees it among its security events (a view of the audit log).
  auto events = dep_.auth->security_events(dep_.login("leaver@a.org").session, 100);
  std::set<std::string> kinds;
  for (const auto& e : *events) kinds.insert(e.kind);
  EXPECT_TRUE(kinds.contains("account.disable"));
  EXPECT_TRUE(kinds.contains("login_failed"));
  // An administrator cannot lock itself out.
  auto self =
      dep_.call("admin@a.org", "POST", "/api/v1/accounts/" + id("admin@a.org") + "/disable");
  EXPECT_EQ(self.status, 409);
}

TEST_F(ObjectLevelTest, LinkRequestsNeedThePatientsConsentAndRevealNothing) {
  // A request for an address without a patient account answers like any other.
  auto none = dep_.call("doc@b.org", "POST", "/api/v1/care-relationships",
                        R"({"patient_email":"nobody@x.org"})");
  auto staff = dep_.call("doc@b.org", "POST", "/api/v1/care-relationships",
                         R"({"patient_email":"doc@a.org"})");
  auto real = dep_.call("doc@b.org", "POST", "/api/v1/care-relationships",
                        R"({"patient_email":"p-active@x.org"})");
  EXPECT_EQ(none.status, 202);
  EXPECT_EQ(none.body, real.body);
  EXPECT_EQ(staff.body, real.body);
  // Pending: no access yet.
  EXPECT_EQ(dep_.call("doc@b.org", "GET", "/api/v1/patients/" + id("p-active@x.org")).status, 404);
  // Someone else cannot accept it on the patient's behalf.
  auto pending = dep_.care->practitioners_of(dep_.login("p-active@x.org").session);
  std::string request_id;
  for (const auto& c : *pending) {
    if (c.status == "invited") request_id = c.id;
  }
  ASSERT_FALSE(request_id.empty());
  EXPECT_EQ(
      dep_.call("p-none@x.org", "POST", "/api/v1/care-relationships/" + request_id + "/accept")
          .status,
      404);
  EXPECT_EQ(
      dep_.call("p-active@x.org", "POST", "/api/v1/care-relationships/" + request_id + "/accept")
          .status,
      204);
  EXPECT_EQ(dep_.call("doc@b.org", "GET", "/api/v1/patients/" + id("p-active@x.org")).status, 200);
  // Relationship changes are on the audit trail, and the patient sees the access.
  EXPECT_EQ(
      dep_.audit_records("care.accept", "succeeded", access::patient_resource(id("p-active@x.org")))
          .size(),
      2u);  // the invitation's and this request's
  auto log = dep_.call("p-active@x.org", "GET", "/api/v1/me/access-log");
  EXPECT_NE(log.body.find("patient.read"), std::string::npos);
  // Ending it cuts the practitioner's access at once.
  EXPECT_EQ(dep_.call("p-active@x.org", "POST", "/api/v1/care-relationships/" + request_id + "/end")
                .status,
            204);
  EXPECT_EQ(dep_.call("doc@b.org", "GET", "/api/v1/patients/" + id("p-active@x.org")).status, 404);
}

// Issue 25.3 / 22.3: no answer, listing or refusal tells a practitioner or an administrator
// which addresses have an account, in their organisation or another.
TEST_F(ObjectLevelTest, RepeatedRequestsAndInvitationsRevealNoAccount) {
  const auto patients_before = dep_.call("doc@b.org", "GET", "/api/v1/patients").body;
  // A repeated request answers like the first, for a real patient and for nobody.
  std::vector<std::string> answers;
  for (const char* email : {"p-none@x.org", "p-none@x.org", "nobody@x.org", "nobody@x.org"}) {
    auto r = dep_.call("doc@b.org", "POST", "/api/v1/care-relationships",
                       std::string(R"({"patient_email":")") + email + "\"}");
    EXPECT_EQ(r.status, 202) << email << ": " << r.body;
    answers.push_back(r.body);
  }
  EXPECT_EQ(answers[1], answers[0]);
  EXPECT_EQ(answers[2], answers[0]);
  EXPECT_EQ(answers[3], answers[0]);
  // A pending request is not listed to the practitioner before the patient accepts it.
  EXPECT_EQ(dep_.call("doc@b.org", "GET", "/api/v1/patients").body, patients_before);

  // An invitation to another organisation's patient answers like one to a new address...
  auto existing = dep_.call("doc@b.org", "POST", "/api/v1/invitations",
                            R"({"email":"p-active@x.org","role":"patient"})");
  auto fresh = dep_.call("doc@b.org", "POST", "/api/v1/invitations",
                         R"({"email":"fresh@x.org","role":"patient"})");
  ASSERT_EQ(existing.status, 201) << existing.body;
  ASSERT_EQ(fresh.status, 201) << fresh.body;
  auto keys = [](const client::ClientResponse& r) {
    std::vector<std::string> out;
    const auto body = boost::json::parse(r.body);  // (not a temporary: the loop keeps it)
    for (const auto& kv : body.as_object()) out.emplace_back(kv.key());
    return out;
  };
  EXPECT_EQ(keys(existing), keys(fresh));
  // ... and both show in the practitioner's list the same way: the address, no name or id.
  auto list = boost::json::parse(dep_.call("doc@b.org", "GET", "/api/v1/patients").body);
  std::map<std::string, std::string> shown;  // e-mail → "status|patient id|name"
  for (const auto& c : list.at("patients").as_array()) {
    const auto& p = c.at("patient").as_object();
    shown[std::string(p.at("email").as_string())] = std::string(c.at("status").as_string()) + "|" +
                                                    std::string(p.at("id").as_string()) + "|" +
                                                    std::string(p.at("display_name").as_string());
  }
  EXPECT_EQ(shown["p-active@x.org"], "invited||");
  EXPECT_EQ(shown["fresh@x.org"], "invited||");
  EXPECT_EQ(shown.count("p-none@x.org"), 0u);  // the care request stays unlisted

  // The existing patient sees who asks, and from which organisation, before accepting.
  auto mine = boost::json::parse(
      dep_.call("p-active@x.org", "GET", "/api/v1/practitioners?include_ended=true").body);
  std::string request_id;
  for (const auto& c : mine.at("practitioners").as_array()) {
    const auto& pr = c.at("practitioner").as_object();
    if (c.at("status").as_string() == "invited" && pr.at("id").as_string() == id("doc@b.org")) {
      request_id = std::string(c.at("id").as_string());
      EXPECT_EQ(pr.at("organisation").as_string(), "Cabinet B");
    }
  }
  ASSERT_FALSE(request_id.empty()) << boost::json::serialize(mine);
  // Its invitation token cannot create a second account: the owner is told to sign in.
  const std::string token(boost::json::parse(existing.body).at("token").as_string());
  auto second = dep_.call("", "POST", "/api/v1/invitations/accept",
                          R"({"token":")" + token + R"(","display_name":"X","password":")" +
                              testing::kTestPassword + "\"}");
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_EQ(Deployment::code_of(second), "email_taken");
  EXPECT_NE(second.body.find("sign in"), std::string::npos) << second.body;
  // No access before the patient accepts; access after.
  EXPECT_EQ(dep_.call("doc@b.org", "GET", "/api/v1/patients/" + id("p-active@x.org")).status, 404);
  ASSERT_EQ(
      dep_.call("p-active@x.org", "POST", "/api/v1/care-relationships/" + request_id + "/accept")
          .status,
      204);
  EXPECT_EQ(dep_.call("doc@b.org", "GET", "/api/v1/patients/" + id("p-active@x.org")).status, 200);

  // An administrator inviting another organisation's practitioner learns nothing either.
  auto staff = dep_.call("admin@b.org", "POST", "/api/v1/invitations",
                         R"({"email":"doc@a.org","role":"practitioner"})");
  auto new_staff = dep_.call("admin@b.org", "POST", "/api/v1/invitations",
                             R"({"email":"new-doc@b.org","role":"practitioner"})");
  EXPECT_EQ(staff.status, 201) << staff.body;
  EXPECT_EQ(keys(staff), keys(new_staff));
  // The address's owner is told in its own record; the inviter's shows nothing different.
  EXPECT_EQ(dep_.audit_records("invitation.create", "failed", "account:" + id("doc@a.org")).size(),
            1u);
}

// Issue 22.10: the access log says what happened in plain words, and a practitioner's
// software listing its patients often is one entry a day, not one per listing.
TEST_F(ObjectLevelTest, TheAccessLogSpeaksPlainlyAndFoldsListings) {
  auto entries = [&] {
    auto r = dep_.call("p-active@x.org", "GET", "/api/v1/me/access-log");
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;  // "what|description|who", newest first
    const auto body = boost::json::parse(r.body);
    for (const auto& e : body.at("entries").as_array()) {
      out.push_back(std::string(e.at("what").as_string()) + "|" +
                    std::string(e.at("description").as_string()) + "|" +
                    std::string(e.at("who").as_string()));
    }
    return out;
  };
  const std::size_t before = entries().size();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(dep_.call("doc@a.org", "GET", "/api/v1/patients").status, 200);
  }
  ASSERT_EQ(dep_.call("doc@a.org", "GET", "/api/v1/patients/" + id("p-active@x.org")).status, 200);
  ASSERT_EQ(dep_.call("doc2@a.org", "GET", "/api/v1/patients/" + id("p-active@x.org")).status, 404);
  auto now = entries();
  ASSERT_GE(now.size(), 3u);
  EXPECT_EQ(now[0], "refused|tried to reach your data and was refused|doc2");
  EXPECT_EQ(now[1], "record_opened|opened your patient record|doc");
  EXPECT_EQ(now[2], "listed_among_patients|saw your name in their list of patients|doc");
  // The three listings of the day (and SetUp's) are one entry.
  std::size_t listed = 0;
  for (const auto& e : now) listed += e.starts_with("listed_among_patients|") ? 1 : 0;
  EXPECT_EQ(listed, 1u);
  EXPECT_LE(now.size(), before + 3);
  // Another day, another entry.
  dep_.clock.advance(std::chrono::hours(24));
  ASSERT_EQ(dep_.call("doc@a.org", "GET", "/api/v1/patients").status, 200);
  listed = 0;
  for (const auto& e : entries()) listed += e.starts_with("listed_among_patients|") ? 1 : 0;
  EXPECT_EQ(listed, 2u);
}

// Issue 22.13: pending invitations are listed and revoked within one's own reach only, and
// an administrator renames its own organisation.
TEST_F(ObjectLevelTest, InvitationsAndTheOrganisationNameStayWithinTheOrganisation) {
  auto made = dep_.call("doc@a.org", "POST", "/api/v1/invitations",
                        R"({"email":"later@x.org","role":"patient"})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string inv_id(boost::json::parse(made.body).at("invitation_id").as_string());
  auto listed = [&](const std::string& who) {
    auto r = dep_.call(who, "GET", "/api/v1/invitations");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body.find(inv_id) != std::string::npos && r.body.find("token") == std::string::npos;
  };
  EXPECT_TRUE(listed("doc@a.org"));
  EXPECT_TRUE(listed("admin@a.org"));
  EXPECT_FALSE(listed("doc2@a.org"));
  EXPECT_FALSE(listed("admin@b.org"));
  for (const char* other : {"admin@b.org", "doc@b.org", "doc2@a.org"}) {
    auto r = dep_.call(other, "POST", "/api/v1/invitations/" + inv_id + "/revoke");
    EXPECT_EQ(r.status, 404) << other << ": " << r.body;
    EXPECT_EQ(Deployment::code_of(r), "invitation_not_found");
  }
  EXPECT_EQ(dep_.call("admin@a.org", "POST", "/api/v1/invitations/" + inv_id + "/revoke").status,
            204);
  EXPECT_FALSE(listed("doc@a.org"));

  auto renamed = dep_.call("admin@a.org", "PUT", "/api/v1/organisation",
                           R"({"name":"Maison de santé du Port"})");
  EXPECT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_NE(dep_.call("doc@a.org", "GET", "/api/v1/me").body.find("Maison de santé du Port"),
            std::string::npos);
  EXPECT_EQ(
      dep_.call("admin@a.org", "PUT", "/api/v1/organisation", R"({"name":"Cabinet B"})").status,
      409);
  EXPECT_EQ(dep_.call("doc@a.org", "PUT", "/api/v1/organisation", R"({"name":"Mine"})").status,
            403);
}

// Issue 25.3: across organisations, a patient sees the practitioner's organisation and the
// RPPS number its administrators attested before accepting a care request.
TEST_F(ObjectLevelTest, AnAdministratorAttestsItsPractitionersRpps) {
  const std::string doc = id("doc@a.org");
  auto put = [&](const std::string& who, const std::string& account, const std::string& rpps) {
    return dep_.call(who, "PUT", "/api/v1/accounts/" + account + "/rpps",
                     R"({"rpps":")" + rpps + "\"}");
  };
  // Another organisation's administrator: the account does not exist for it.
  auto other = put("admin@b.org", doc, "10101201234");
  EXPECT_EQ(other.status, 404) << other.body;
  EXPECT_EQ(Deployment::code_of(other), "account_not_found");
  EXPECT_EQ(Deployment::code_of(put("admin@a.org", doc, "1010120123")), "invalid_rpps");
  EXPECT_EQ(Deployment::code_of(put("admin@a.org", doc, "1010120123x")), "invalid_rpps");
  EXPECT_EQ(Deployment::code_of(put("admin@a.org", id("assist@a.org"), "10101201234")),
            "not_a_practitioner");
  EXPECT_EQ(put("doc@a.org", doc, "10101201234").status, 403);  // not an administrator
  auto ok = put("admin@a.org", doc, "10101201234");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(boost::json::parse(ok.body).at("rpps").as_string(), "10101201234");
  EXPECT_EQ(Deployment::code_of(put("admin@a.org", id("doc2@a.org"), "10101201234")), "rpps_taken");
  EXPECT_EQ(dep_.audit_records("account.set_rpps", "succeeded", "account:" + doc).size(), 1u);

  // A patient of another organisation asked by doc@a sees whose practice asks, and the RPPS.
  ASSERT_EQ(dep_.call("doc@a.org", "POST", "/api/v1/care-relationships",
                      R"({"patient_email":"pb-none@x.org"})")
                .status,
            202);
  const auto mine =
      boost::json::parse(dep_.call("pb-none@x.org", "GET", "/api/v1/practitioners").body);
  bool seen = false;
  for (const auto& c : mine.at("practitioners").as_array()) {
    const auto& pr = c.at("practitioner").as_object();
    if (pr.at("id").as_string() != doc) continue;
    seen = true;
    EXPECT_EQ(c.at("status").as_string(), "invited");
    EXPECT_EQ(pr.at("organisation").as_string(), "Clinique A");
    EXPECT_EQ(pr.at("rpps").as_string(), "10101201234");
  }
  EXPECT_TRUE(seen) << boost::json::serialize(mine);
}

TEST_F(ObjectLevelTest, AuditorsSearchTheirOwnOrganisationOnly) {
  (void)dep_.call("doc@b.org", "GET", "/api/v1/patients/" + id("p-active@x.org"));  // denied
  auto r = dep_.call("audit@a.org", "GET", "/api/v1/audit/records?limit=1000");
  ASSERT_EQ(r.status, 200) << r.body;
  auto records = boost::json::parse(r.body).at("records").as_array();
  ASSERT_FALSE(records.empty());
  std::set<std::string> org_a;
  auto accounts = dep_.accounts->list(dep_.login("admin@a.org").session);
  for (const auto& a : *accounts) org_a.insert(a.id);
  for (const auto& rec : records) {
    EXPECT_TRUE(org_a.contains(std::string(rec.at("account_id").as_string())))
        << boost::json::serialize(rec);
  }
  // Filters, and a denied record of organisation A found by result.
  auto denied_a =
      dep_.call("audit@a.org", "GET", "/api/v1/audit/records?result=denied&action=patient.read");
  ASSERT_EQ(denied_a.status, 200);
  auto bad = dep_.call("audit@a.org", "GET", "/api/v1/audit/records?from=yesterday");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Deployment::code_of(bad), "invalid_time");
  auto unknown = dep_.call("audit@a.org", "GET", "/api/v1/audit/records?password=x");
  EXPECT_EQ(unknown.status, 400);
  // Searching is itself audited; nobody else may search.
  EXPECT_GE(dep_.audit_records("audit.search", "allowed").size(), 2u);
  EXPECT_EQ(dep_.call("admin@a.org", "GET", "/api/v1/audit/records").status, 403);
  EXPECT_EQ(dep_.call("doc@a.org", "GET", "/api/v1/audit/records").status, 403);
}

}  // namespace
}  // namespace hippocrate::server
