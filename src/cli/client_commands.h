// The `hippocrate` client commands: a user's side of the authentication API (docs/api.md,
// "Authentication"), each with --server, --ca-file, --profile and --json (docs/cli.md).
//
//   accept-invite TOKEN [--name NAME] [--email EMAIL]   create the account of an invitation
//   login EMAIL [--totp CODE | --recovery-code CODE]     open a session (kept in the profile)
//   logout                                               end it on the server, delete it here
//   whoami                                               the account and session
//   passwd                                               step up, then change the password
//   sessions | sessions revoke ID                        list or end one's sessions
//   mfa enroll | mfa confirm CODE                        enrol a TOTP second factor
//   invite --role ROLE EMAIL                             invite someone (admin, practitioner)
//   security-events                                      the account's recent security events
//   patients | practitioners [--all] | patient ID       care relationships
//   care end ID | care request EMAIL | care accept ID
//   delegate list | grant EMAIL | revoke EMAIL           delegation to assistants
//   accounts list | show | disable | enable              an organisation's accounts (admins)
//   audit search [filters]                               the audit trail (auditors; audit_search.h)
//   devices [register | add | approve CODE | revoke ID]  messaging devices (client_messaging.h)
//   contacts | send EMAIL [TEXT | -] | inbox | listen    end-to-end encrypted messages
//   safety-number EMAIL | verify EMAIL                   check who you talk to
//   recovery-key show-new | restore                      the account key's recovery (client_recovery.h)
#pragma once

namespace CLI {
class App;
}

namespace hippocrate::cli {

void add_client_commands(CLI::App& app);

// The registration functions of the command files.
void add_accept_invite_command(CLI::App& app);  // client_account_commands.cc
void add_account_commands(CLI::App& app);       // whoami, passwd
void add_security_events_command(CLI::App& app);
void add_login_commands(CLI::App& app);     // client_session_commands.cc: login, logout
void add_sessions_command(CLI::App& app);   // sessions, sessions revoke
void add_mfa_commands(CLI::App& app);       // client_mfa_commands.cc
void add_invite_commands(CLI::App& app);    // client_invite_commands.cc
void add_care_commands(CLI::App& app);      // client_care_commands.cc: patients, practitioners,
                                            // patient ID, care end|request|accept
void add_delegate_commands(CLI::App& app);  // client_delegate_commands.cc
void add_account_admin_commands(CLI::App& app);  // client_account_admin_commands.cc: accounts
void add_device_commands(CLI::App& app);         // client_device_commands.cc: devices ...
void add_message_commands(CLI::App& app);   // client_message_commands.cc: contacts, send, inbox
void add_listen_command(CLI::App& app);     // client_message_listen_command.cc
void add_history_commands(CLI::App& app);   // client_history_commands.cc: conversations, history
void add_safety_commands(CLI::App& app);    // client_messaging_verify_commands.cc
void add_recovery_commands(CLI::App& app);  // client_recovery_commands.cc: recovery-key, restore

}  // namespace hippocrate::cli
