// French, the default language. Every string the app shows is here and in en.ts: en.ts is
// typed as `Messages` (this object's type), so a key missing from either file, or one file
// having a key the other lacks, fails the TypeScript build. `errors` must have every code
// of api.ts's list.
import type { ApiErrorCode } from "../api";

export const fr = {
  lang: "fr",
  appName: "Hippocrate",
  skipToContent: "Aller au contenu",
  switchTo: "English",
  switchToLabel: "Read this site in English",
  loading: "Chargement…",

  signInTitle: "Se connecter",
  signInIntro: "Connectez-vous avec l’adresse e-mail et le mot de passe de votre compte Hippocrate.",
  email: "Adresse e-mail",
  password: "Mot de passe",
  signInButton: "Se connecter",
  signingIn: "Connexion…",
  noAccount:
    "Pas encore de compte ? Hippocrate fonctionne sur invitation : demandez-en une à votre cabinet ou à votre médecin.",

  secondFactorTitle: "Code de vérification",
  totpIntro: "Saisissez le code à 6 chiffres affiché par votre application d’authentification.",
  totpCode: "Code à 6 chiffres",
  recoveryIntro: "Saisissez l’un des codes de secours que vous avez gardés lors de l’activation.",
  recoveryCode: "Code de secours",
  useRecoveryCode: "Utiliser un code de secours",
  useTotpCode: "Utiliser l’application d’authentification",
  verifyButton: "Valider",
  verifying: "Vérification…",
  startOver: "Recommencer avec une autre adresse",

  homeTitle: (name: string) => `Bonjour, ${name}`,
  homeIntro: "Vous êtes connecté à Hippocrate.",
  yourAccount: "Votre compte",
  nameLabel: "Nom",
  emailLabel: "Adresse e-mail",
  roleLabel: "Rôle",
  organisationLabel: "Organisation",
  secondFactorLabel: "Double authentification",
  secondFactorOn: "activée",
  secondFactorOff: "non activée",
  roles: {
    admin: "Administrateur",
    practitioner: "Praticien",
    assistant: "Assistant",
    patient: "Patient",
    auditor: "Auditeur",
  },
  enrolmentNeeded:
    "Votre compte doit être protégé par une application d’authentification avant tout le reste. Cette étape sera bientôt possible ici ; en attendant, utilisez la commande « hippocrate mfa enroll ».",
  signOutButton: "Se déconnecter",
  signingOut: "Déconnexion…",
  signedOut: "Vous êtes déconnecté.",

  notFoundTitle: "Page introuvable",
  notFoundText: "Cette adresse ne correspond à aucune page d’Hippocrate.",
  backHome: "Revenir à l’accueil",

  errors: {
    invalid_credentials: "L’adresse e-mail ou le mot de passe est incorrect. Vérifiez-les et réessayez.",
    second_factor_required: "Saisissez le code de votre application d’authentification.",
    invalid_second_factor:
      "Ce code n’est pas valable. Saisissez le code affiché maintenant par votre application (vérifiez que l’heure du téléphone est juste), ou utilisez un code de secours.",
    too_many_attempts:
      "Trop d’essais infructueux. Par sécurité, attendez quelques minutes avant de réessayer. Si votre compte a été verrouillé, contactez votre cabinet ou votre administrateur.",
    rate_limited: "Trop de demandes en peu de temps. Attendez un moment, puis réessayez.",
    missing_field: "Un champ obligatoire est vide. Remplissez-le, puis réessayez.",
    invalid_field: "Une valeur saisie n’a pas la bonne forme. Vérifiez-la, puis réessayez.",
    malformed_json: "Le serveur n’a pas compris la demande. Rechargez la page, puis réessayez.",
    duplicate_field: "Le serveur n’a pas compris la demande. Rechargez la page, puis réessayez.",
    unknown_field: "Le serveur n’a pas compris la demande. Rechargez la page, puis réessayez.",
    unsupported_media_type: "Le serveur n’a pas compris la demande. Rechargez la page, puis réessayez.",
    payload_too_large: "Ce que vous avez saisi est trop long.",
    malformed_request: "Le serveur n’a pas compris la demande. Rechargez la page, puis réessayez.",
    invalid_framing: "Le serveur n’a pas compris la demande. Rechargez la page, puis réessayez.",
    invalid_host: "Le serveur n’a pas compris la demande. Rechargez la page, puis réessayez.",
    headers_too_large: "Le serveur n’a pas compris la demande. Rechargez la page, puis réessayez.",
    unauthenticated: "Vous n’êtes pas connecté. Connectez-vous pour continuer.",
    invalid_token: "Vous avez été déconnecté. Connectez-vous à nouveau.",
    session_expired: "Votre session a pris fin (par sécurité, après un moment sans activité). Connectez-vous à nouveau.",
    csrf_token_invalid: "Par sécurité, cette action n’a pas été faite. Rechargez la page, puis réessayez.",
    origin_not_allowed: "Par sécurité, cette action n’a pas été faite : elle ne venait pas de la page d’Hippocrate.",
    permission_denied: "Votre compte ne permet pas cette action.",
    second_factor_enrolment_required:
      "Activez d’abord la double authentification (application d’authentification) sur votre compte.",
    not_found: "Cette page ou cette ressource n’existe pas.",
    method_not_allowed: "Le serveur n’a pas compris la demande. Rechargez la page, puis réessayez.",
    internal_error: "Le serveur a rencontré une erreur. Réessayez dans un moment ; si cela continue, prévenez votre cabinet.",
    database_unavailable: "Le service est momentanément indisponible. Réessayez dans un moment.",
    network_error: "Le serveur ne répond pas. Vérifiez votre connexion à Internet, puis réessayez.",
    unexpected_answer: "Le serveur a donné une réponse inattendue. Réessayez dans un moment.",
  } satisfies Record<ApiErrorCode, string>,
  invalidRecoveryCode:
    "Ce code de secours n’est pas valable ou a déjà servi (chaque code ne sert qu’une fois). Essayez-en un autre, ou votre application.",
};

export type Messages = typeof fr;
