//! The mails Strongroom sends. Each has a plain-text and an HTML body; everything that comes from a
//! user (addresses, names) is escaped in the HTML. Each is written in one of four languages (UX3): every
//! template matches on [`Language`] without a catch-all, so a language without words does not compile.
//! The words follow the conventions of business mail in each language (formal "Sie", "vous", "siz").

use super::{Language, MailClass, OutgoingMail};
use model::EmailAddress;

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A mail body built from paragraphs and at most one button-like link.
pub(super) struct Body {
    language: Language,
    paragraphs: Vec<String>,
    action: Option<(String, String)>,
    footer: String,
}

impl Body {
    pub(super) fn new(language: Language, paragraphs: &[&str]) -> Self {
        let footer = match language {
            Language::En => {
                "If you did not expect this message, you can ignore it. We never ask for your password by mail."
            }
            Language::De => {
                "Falls Sie diese Nachricht nicht erwartet haben, können Sie sie ignorieren. Wir fragen nie per E-Mail nach Ihrem Passwort."
            }
            Language::Fr => {
                "Si vous n’attendiez pas ce message, vous pouvez l’ignorer. Nous ne vous demandons jamais votre mot de passe par e-mail."
            }
            Language::Tr => {
                "Bu iletiyi beklemiyorsanız dikkate almayabilirsiniz. Parolanızı asla e-postayla istemeyiz."
            }
        };
        Self {
            language,
            paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
            action: None,
            footer: footer.to_owned(),
        }
    }

    pub(super) fn action(mut self, label: &str, url: &str) -> Self {
        self.action = Some((label.to_owned(), url.to_owned()));
        self
    }

    fn footer(mut self, footer: &str) -> Self {
        self.footer = footer.to_owned();
        self
    }

    fn text(&self) -> String {
        let mut text = self.paragraphs.join("\n\n");
        if let Some((label, url)) = &self.action {
            text.push_str(&format!("\n\n{label}:\n{url}"));
        }
        text.push_str(&format!("\n\n-- \n{}\nStrongroom\n", self.footer));
        text
    }

    fn html(&self, title: &str) -> String {
        let mut html = format!(
            "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1b2430\">",
            self.language.as_str(),
            escape_html(title)
        );
        for paragraph in &self.paragraphs {
            html.push_str(&format!("<p>{}</p>", escape_html(paragraph)));
        }
        if let Some((label, url)) = &self.action {
            let url = escape_html(url);
            html.push_str(&format!(
                "<p><a href=\"{url}\" style=\"display:inline-block;padding:10px 16px;background:#1f3a5f;color:#fff;\
                 border-radius:6px;text-decoration:none\">{}</a></p><p style=\"font-size:90%\">{url}</p>",
                escape_html(label)
            ));
        }
        html.push_str(&format!(
            "<hr><p style=\"font-size:85%;color:#5b6673\">{}<br>Strongroom</p></body></html>",
            escape_html(&self.footer)
        ));
        html
    }

    /// The finished mail. `class` says which queue it waits in: [`MailClass::Security`] for everything
    /// about an account, [`MailClass::Bulk`] for workspace mail that anyone with a workspace can cause.
    pub(super) fn into_mail(
        self,
        kind: &'static str,
        class: MailClass,
        to: &EmailAddress,
        subject: &str,
    ) -> OutgoingMail {
        OutgoingMail {
            kind,
            class,
            to: to.clone(),
            subject: subject.to_owned(),
            text: self.text(),
            html: self.html(subject),
            language: self.language,
        }
    }
}

/// Four texts, one per language, chosen by `language` (no catch-all: a missing language does not compile).
pub(super) fn pick(
    language: Language,
    en: &'static str,
    de: &'static str,
    fr: &'static str,
    tr: &'static str,
) -> &'static str {
    match language {
        Language::En => en,
        Language::De => de,
        Language::Fr => fr,
        Language::Tr => tr,
    }
}

pub fn verify_address(language: Language, to: &EmailAddress, link: &str) -> OutgoingMail {
    use Language as L;
    let (intro, action, subject) = match language {
        L::En => (
            "Welcome to Strongroom. Please confirm that this is your email address to finish creating your account. The link works once and expires in 24 hours.",
            "Confirm my email address",
            "Confirm your email address",
        ),
        L::De => (
            "Willkommen bei Strongroom. Bitte bestätigen Sie, dass dies Ihre E-Mail-Adresse ist, um die Erstellung Ihres Kontos abzuschließen. Der Link funktioniert einmal und läuft nach 24 Stunden ab.",
            "Meine E-Mail-Adresse bestätigen",
            "Bitte bestätigen Sie Ihre E-Mail-Adresse",
        ),
        L::Fr => (
            "Bienvenue sur Strongroom. Veuillez confirmer qu’il s’agit bien de votre adresse e-mail pour terminer la création de votre compte. Le lien fonctionne une fois et expire dans 24 heures.",
            "Confirmer mon adresse e-mail",
            "Confirmez votre adresse e-mail",
        ),
        L::Tr => (
            "Strongroom’a hoş geldiniz. Hesabınızın oluşturulmasını tamamlamak için lütfen bunun sizin e-posta adresiniz olduğunu doğrulayın. Bağlantı bir kez çalışır ve 24 saat sonra geçerliliğini yitirir.",
            "E-posta adresimi doğrula",
            "E-posta adresinizi doğrulayın",
        ),
    };
    Body::new(language, &[intro]).action(action, link).into_mail("verify_address", MailClass::Security, to, subject)
}

pub fn sign_up_attempt_for_existing_account(
    language: Language,
    to: &EmailAddress,
    sign_in: &str,
    reset: &str,
) -> OutgoingMail {
    use Language as L;
    let (first, second, subject) = match language {
        L::En => (
            "Someone (perhaps you) tried to create a Strongroom account with this email address. You already have an account.".to_owned(),
            format!("To sign in, go to {sign_in}. If you forgot your password, you can reset it at {reset}."),
            "You already have a Strongroom account",
        ),
        L::De => (
            "Jemand (vielleicht Sie) hat versucht, mit dieser E-Mail-Adresse ein Strongroom-Konto zu erstellen. Sie haben bereits ein Konto.".to_owned(),
            format!("Zur Anmeldung gehen Sie auf {sign_in}. Falls Sie Ihr Passwort vergessen haben, können Sie es unter {reset} zurücksetzen."),
            "Sie haben bereits ein Strongroom-Konto",
        ),
        L::Fr => (
            "Quelqu’un (peut-être vous) a essayé de créer un compte Strongroom avec cette adresse e-mail. Vous avez déjà un compte.".to_owned(),
            format!("Pour vous connecter, rendez-vous sur {sign_in}. Si vous avez oublié votre mot de passe, vous pouvez le réinitialiser sur {reset}."),
            "Vous avez déjà un compte Strongroom",
        ),
        L::Tr => (
            "Birisi (belki siz) bu e-posta adresiyle bir Strongroom hesabı oluşturmaya çalıştı. Zaten bir hesabınız var.".to_owned(),
            format!("Oturum açmak için {sign_in} adresine gidin. Parolanızı unuttuysanız {reset} adresinden sıfırlayabilirsiniz."),
            "Zaten bir Strongroom hesabınız var",
        ),
    };
    Body::new(language, &[&first, &second]).into_mail("sign_up_existing", MailClass::Security, to, subject)
}

pub fn password_reset(language: Language, to: &EmailAddress, link: &str) -> OutgoingMail {
    use Language as L;
    let (intro, action, footer, subject) = match language {
        L::En => (
            "We received a request to reset the password of your Strongroom account. The link works once and expires in 30 minutes.",
            "Choose a new password",
            "If you did not ask for this, ignore this message: your password stays as it is.",
            "Reset your Strongroom password",
        ),
        L::De => (
            "Wir haben eine Anfrage erhalten, das Passwort Ihres Strongroom-Kontos zurückzusetzen. Der Link funktioniert einmal und läuft nach 30 Minuten ab.",
            "Neues Passwort wählen",
            "Falls Sie dies nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.",
            "Strongroom-Passwort zurücksetzen",
        ),
        L::Fr => (
            "Nous avons reçu une demande de réinitialisation du mot de passe de votre compte Strongroom. Le lien fonctionne une fois et expire dans 30 minutes.",
            "Choisir un nouveau mot de passe",
            "Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.",
            "Réinitialisez votre mot de passe Strongroom",
        ),
        L::Tr => (
            "Strongroom hesabınızın parolasını sıfırlama isteği aldık. Bağlantı bir kez çalışır ve 30 dakika sonra geçerliliğini yitirir.",
            "Yeni bir parola belirleyin",
            "Bunu siz istemediyseniz bu iletiyi dikkate almayın: parolanız olduğu gibi kalır.",
            "Strongroom parolanızı sıfırlayın",
        ),
    };
    Body::new(language, &[intro]).action(action, link).footer(footer).into_mail(
        "password_reset",
        MailClass::Security,
        to,
        subject,
    )
}

pub fn sign_in_code(language: Language, to: &EmailAddress, code: &str) -> OutgoingMail {
    use Language as L;
    let (line, intro, footer, subject) = match language {
        L::En => (
            format!("Your Strongroom sign-in code is {code}"),
            "It expires in 10 minutes. Enter it on the sign-in page; never give it to anyone, including people who say they are from Strongroom.",
            "If you did not try to sign in, someone may know your password: change it in your security settings.",
            "Your Strongroom sign-in code",
        ),
        L::De => (
            format!("Ihr Strongroom-Anmeldecode lautet {code}"),
            "Er läuft nach 10 Minuten ab. Geben Sie ihn auf der Anmeldeseite ein; geben Sie ihn niemals weiter, auch nicht an Personen, die behaupten, von Strongroom zu sein.",
            "Falls Sie sich nicht anmelden wollten, kennt möglicherweise jemand Ihr Passwort: Ändern Sie es in Ihren Sicherheitseinstellungen.",
            "Ihr Strongroom-Anmeldecode",
        ),
        L::Fr => (
            format!("Votre code de connexion Strongroom est {code}"),
            "Il expire dans 10 minutes. Saisissez-le sur la page de connexion ; ne le communiquez jamais à personne, y compris à quelqu’un qui se présente comme un employé de Strongroom.",
            "Si vous n’avez pas essayé de vous connecter, quelqu’un connaît peut-être votre mot de passe : modifiez-le dans vos paramètres de sécurité.",
            "Votre code de connexion Strongroom",
        ),
        L::Tr => (
            format!("Strongroom oturum açma kodunuz: {code}"),
            "Kod 10 dakika içinde geçerliliğini yitirir. Oturum açma sayfasına girin; Strongroom’dan olduğunu söyleyenler dahil kodu asla kimseyle paylaşmayın.",
            "Oturum açmaya çalışmadıysanız parolanızı başka biri biliyor olabilir: güvenlik ayarlarınızdan parolanızı değiştirin.",
            "Strongroom oturum açma kodunuz",
        ),
    };
    Body::new(language, &[&line, intro])
        .footer(footer)
        // Never the code in the subject: subjects show on lock screens and stay readable in the outbox.
        .into_mail("sign_in_code", MailClass::Security, to, subject)
}

/// The security notices: something changed on an account, and its owner should know.
#[derive(Debug, Clone)]
pub enum Notice {
    PasswordReset { authenticator_removed: bool },
    PasswordChanged,
    WrongSecondFactor,
    NewDeviceSignIn { browser: String, at: chrono::DateTime<chrono::Utc>, ip: String },
    TotpEnabled,
    TotpDisabled,
    RecoveryCodeUsed,
    AddressChangedNew,
}

impl Notice {
    fn kind(&self) -> &'static str {
        match self {
            Self::PasswordReset { .. } | Self::PasswordChanged => "password_changed",
            Self::WrongSecondFactor => "wrong_second_factor",
            Self::NewDeviceSignIn { .. } => "new_device_sign_in",
            Self::TotpEnabled => "totp_enabled",
            Self::TotpDisabled => "totp_disabled",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::AddressChangedNew => "address_changed_new",
        }
    }

    fn subject(&self, l: Language) -> &'static str {
        match self {
            Self::PasswordReset { .. } | Self::PasswordChanged => pick(
                l,
                "Your Strongroom password was changed",
                "Ihr Strongroom-Passwort wurde geändert",
                "Votre mot de passe Strongroom a été modifié",
                "Strongroom parolanız değiştirildi",
            ),
            Self::WrongSecondFactor => pick(
                l,
                "Wrong sign-in codes for your Strongroom account",
                "Falsche Anmeldecodes für Ihr Strongroom-Konto",
                "Codes de connexion erronés pour votre compte Strongroom",
                "Strongroom hesabınız için hatalı oturum açma kodları",
            ),
            Self::NewDeviceSignIn { .. } => pick(
                l,
                "New sign-in to your Strongroom account",
                "Neue Anmeldung bei Ihrem Strongroom-Konto",
                "Nouvelle connexion à votre compte Strongroom",
                "Strongroom hesabınızda yeni oturum açma",
            ),
            Self::TotpEnabled => pick(
                l,
                "Two-factor authentication is on",
                "Die Zwei-Faktor-Authentifizierung ist aktiviert",
                "L’authentification à deux facteurs est activée",
                "İki adımlı doğrulama açık",
            ),
            Self::TotpDisabled => pick(
                l,
                "Two-factor authentication was turned off",
                "Die Zwei-Faktor-Authentifizierung wurde deaktiviert",
                "L’authentification à deux facteurs a été désactivée",
                "İki adımlı doğrulama kapatıldı",
            ),
            Self::RecoveryCodeUsed => pick(
                l,
                "A recovery code was used",
                "Ein Wiederherstellungscode wurde verwendet",
                "Un code de récupération a été utilisé",
                "Bir kurtarma kodu kullanıldı",
            ),
            Self::AddressChangedNew => pick(
                l,
                "This is now your Strongroom email address",
                "Dies ist jetzt Ihre Strongroom-E-Mail-Adresse",
                "Ceci est désormais votre adresse e-mail Strongroom",
                "Bu artık Strongroom e-posta adresiniz",
            ),
        }
    }

    fn paragraphs(&self, l: Language) -> Vec<String> {
        let one = |en, de, fr, tr| vec![pick(l, en, de, fr, tr).to_owned()];
        match self {
            Self::PasswordReset { authenticator_removed } => {
                let mut lines = one(
                    "The password of your Strongroom account was just reset. Every session was signed out, and every browser must confirm its next sign-in with a code.",
                    "Das Passwort Ihres Strongroom-Kontos wurde soeben zurückgesetzt. Alle Sitzungen wurden abgemeldet, und jeder Browser muss seine nächste Anmeldung mit einem Code bestätigen.",
                    "Le mot de passe de votre compte Strongroom vient d’être réinitialisé. Toutes les sessions ont été fermées, et chaque navigateur devra confirmer sa prochaine connexion par un code.",
                    "Strongroom hesabınızın parolası az önce sıfırlandı. Tüm oturumlar kapatıldı ve her tarayıcının bir sonraki oturum açmayı bir kodla doğrulaması gerekecek.",
                );
                if *authenticator_removed {
                    lines.extend(one(
                        "The authenticator app added in the last days was removed. Set it up again if it was yours.",
                        "Die in den letzten Tagen hinzugefügte Authenticator-App wurde entfernt. Richten Sie sie erneut ein, falls es Ihre war.",
                        "L’application d’authentification ajoutée ces derniers jours a été retirée. Configurez-la à nouveau si c’était la vôtre.",
                        "Son günlerde eklenen kimlik doğrulama uygulaması kaldırıldı. Size aitse yeniden kurun.",
                    ));
                }
                lines
            }
            Self::PasswordChanged => one(
                "The password of your Strongroom account was just changed. Your other sessions were signed out.",
                "Das Passwort Ihres Strongroom-Kontos wurde soeben geändert. Ihre anderen Sitzungen wurden abgemeldet.",
                "Le mot de passe de votre compte Strongroom vient d’être modifié. Vos autres sessions ont été fermées.",
                "Strongroom hesabınızın parolası az önce değiştirildi. Diğer oturumlarınız kapatıldı.",
            ),
            Self::WrongSecondFactor => vec![
                pick(l, "Someone typed your Strongroom password correctly and then several wrong sign-in codes. We stopped that sign-in.", "Jemand hat Ihr Strongroom-Passwort richtig und danach mehrere falsche Anmeldecodes eingegeben. Wir haben diese Anmeldung gestoppt.", "Quelqu’un a saisi correctement votre mot de passe Strongroom, puis plusieurs codes de connexion erronés. Nous avons bloqué cette connexion.", "Birisi Strongroom parolanızı doğru, ardından birkaç oturum açma kodunu hatalı girdi. Bu oturum açma işlemini durdurduk.").to_owned(),
                pick(l, "If this was not you, your password is known to someone else: please change it now in your security settings.", "Falls Sie das nicht waren, kennt jemand anderes Ihr Passwort: Bitte ändern Sie es jetzt in Ihren Sicherheitseinstellungen.", "Si ce n’était pas vous, quelqu’un d’autre connaît votre mot de passe : veuillez le modifier dès maintenant dans vos paramètres de sécurité.", "Bu siz değildiyseniz parolanızı başka biri biliyor: lütfen parolanızı hemen güvenlik ayarlarınızdan değiştirin.").to_owned(),
            ],
            Self::NewDeviceSignIn { browser, at, ip } => {
                let when = match l {
                    Language::En => at.format("%Y-%m-%d %H:%M UTC"),
                    Language::De | Language::Tr => at.format("%d.%m.%Y %H:%M UTC"),
                    Language::Fr => at.format("%d/%m/%Y %H:%M UTC"),
                };
                vec![match l {
                    Language::En => format!("Your Strongroom account was signed in to from a new browser ({browser}) at {when}, from the address {ip}."),
                    Language::De => format!("Bei Ihrem Strongroom-Konto hat sich am {when} ein neuer Browser ({browser}) von der Adresse {ip} angemeldet."),
                    Language::Fr => format!("Une connexion à votre compte Strongroom a eu lieu depuis un nouveau navigateur ({browser}) le {when}, depuis l’adresse {ip}."),
                    Language::Tr => format!("Strongroom hesabınızda {when} tarihinde yeni bir tarayıcıdan ({browser}), {ip} adresinden oturum açıldı."),
                }]
            }
            Self::TotpEnabled => vec![
                pick(l, "An authenticator app was added to your Strongroom account. From now on, signing in asks for its code, and your other sessions were signed out.", "Ihrem Strongroom-Konto wurde eine Authenticator-App hinzugefügt. Ab sofort wird bei der Anmeldung ihr Code abgefragt, und Ihre anderen Sitzungen wurden abgemeldet.", "Une application d’authentification a été ajoutée à votre compte Strongroom. Désormais, la connexion demande son code, et vos autres sessions ont été fermées.", "Strongroom hesabınıza bir kimlik doğrulama uygulaması eklendi. Bundan sonra oturum açarken bu uygulamanın kodu istenecek; diğer oturumlarınız kapatıldı.").to_owned(),
                pick(l, "If this was not you, choose a new password with \u{201c}Forgot your password?\u{201d} within 7 days: that removes the new authenticator.", "Falls Sie das nicht waren, wählen Sie innerhalb von 7 Tagen über \u{201e}Passwort vergessen?\u{201c} ein neues Passwort: Damit wird die neue Authenticator-App entfernt.", "Si ce n’était pas vous, choisissez un nouveau mot de passe via « Mot de passe oublié ? » dans les 7 jours : cela retire la nouvelle application d’authentification.", "Bu siz değildiyseniz 7 gün içinde \u{201c}Parolanızı mı unuttunuz?\u{201d} ile yeni bir parola belirleyin: bu, yeni kimlik doğrulama uygulamasını kaldırır.").to_owned(),
            ],
            Self::TotpDisabled => one(
                "Two-factor authentication was turned off for your Strongroom account. Signing in no longer asks for an authenticator code.",
                "Die Zwei-Faktor-Authentifizierung wurde für Ihr Strongroom-Konto deaktiviert. Bei der Anmeldung wird kein Authenticator-Code mehr abgefragt.",
                "L’authentification à deux facteurs a été désactivée pour votre compte Strongroom. La connexion ne demande plus de code d’authentification.",
                "Strongroom hesabınız için iki adımlı doğrulama kapatıldı. Oturum açarken artık doğrulama kodu istenmiyor.",
            ),
            Self::RecoveryCodeUsed => one(
                "A recovery code was used to sign in to your Strongroom account. Each code works once; you can make new ones in your security settings.",
                "Für eine Anmeldung bei Ihrem Strongroom-Konto wurde ein Wiederherstellungscode verwendet. Jeder Code funktioniert einmal; neue Codes können Sie in Ihren Sicherheitseinstellungen erstellen.",
                "Un code de récupération a été utilisé pour vous connecter à votre compte Strongroom. Chaque code ne fonctionne qu’une fois ; vous pouvez en générer de nouveaux dans vos paramètres de sécurité.",
                "Strongroom hesabınızda oturum açmak için bir kurtarma kodu kullanıldı. Her kod bir kez çalışır; güvenlik ayarlarınızdan yenilerini oluşturabilirsiniz.",
            ),
            Self::AddressChangedNew => one(
                "This address is now the email address of your Strongroom account.",
                "Diese Adresse ist jetzt die E-Mail-Adresse Ihres Strongroom-Kontos.",
                "Cette adresse est désormais l’adresse e-mail de votre compte Strongroom.",
                "Bu adres artık Strongroom hesabınızın e-posta adresidir.",
            ),
        }
    }
}

pub fn notice(language: Language, to: &EmailAddress, notice: &Notice, settings_url: &str) -> OutgoingMail {
    let l = language;
    let lines = notice.paragraphs(l);
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    Body::new(l, &lines)
        .action(
            pick(
                l,
                "Review your security settings",
                "Sicherheitseinstellungen prüfen",
                "Vérifier vos paramètres de sécurité",
                "Güvenlik ayarlarınızı gözden geçirin",
            ),
            settings_url,
        )
        .footer(pick(
            l,
            "If this was not you, reset your password right away and review your sessions.",
            "Falls Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück und prüfen Sie Ihre Sitzungen.",
            "Si ce n’était pas vous, réinitialisez immédiatement votre mot de passe et vérifiez vos sessions.",
            "Bu siz değildiyseniz parolanızı hemen sıfırlayın ve oturumlarınızı gözden geçirin.",
        ))
        .into_mail(notice.kind(), MailClass::Security, to, notice.subject(l))
}

pub fn confirm_new_address(language: Language, to: &EmailAddress, link: &str) -> OutgoingMail {
    let l = language;
    Body::new(l, &[pick(
        l,
        "Please confirm that you want to use this address for your Strongroom account. The link works once and expires in 24 hours.",
        "Bitte bestätigen Sie, dass Sie diese Adresse für Ihr Strongroom-Konto verwenden möchten. Der Link funktioniert einmal und läuft nach 24 Stunden ab.",
        "Veuillez confirmer que vous souhaitez utiliser cette adresse pour votre compte Strongroom. Le lien fonctionne une fois et expire dans 24 heures.",
        "Lütfen bu adresi Strongroom hesabınız için kullanmak istediğinizi doğrulayın. Bağlantı bir kez çalışır ve 24 saat sonra geçerliliğini yitirir.",
    )])
    .action(pick(l, "Use this address", "Diese Adresse verwenden", "Utiliser cette adresse", "Bu adresi kullan"), link)
    .into_mail(
        "confirm_new_address",
        MailClass::Security,
        to,
        pick(l, "Confirm your new email address", "Bitte bestätigen Sie Ihre neue E-Mail-Adresse", "Confirmez votre nouvelle adresse e-mail", "Yeni e-posta adresinizi doğrulayın"),
    )
}

pub fn address_changed_old(language: Language, to: &EmailAddress, new: &EmailAddress, undo_link: &str) -> OutgoingMail {
    let l = language;
    let first = match l {
        Language::En => format!("The email address of your Strongroom account was changed to {new}."),
        Language::De => format!("Die E-Mail-Adresse Ihres Strongroom-Kontos wurde in {new} geändert."),
        Language::Fr => format!("L’adresse e-mail de votre compte Strongroom a été remplacée par {new}."),
        Language::Tr => format!("Strongroom hesabınızın e-posta adresi {new} olarak değiştirildi."),
    };
    Body::new(l, &[&first, pick(
        l,
        "If you did not do this, undo the change with the link below: it restores this address, signs everyone out and locks the account until you choose a new password. The link works once, for 7 days.",
        "Falls Sie das nicht waren, machen Sie die Änderung mit dem Link unten rückgängig: Er stellt diese Adresse wieder her, meldet alle ab und sperrt das Konto, bis Sie ein neues Passwort wählen. Der Link funktioniert einmal, 7 Tage lang.",
        "Si vous n’êtes pas à l’origine de ce changement, annulez-le avec le lien ci-dessous : il rétablit cette adresse, déconnecte tout le monde et verrouille le compte jusqu’à ce que vous choisissiez un nouveau mot de passe. Le lien fonctionne une fois, pendant 7 jours.",
        "Bunu siz yapmadıysanız aşağıdaki bağlantıyla değişikliği geri alın: bağlantı bu adresi geri yükler, herkesin oturumunu kapatır ve yeni bir parola belirleyene kadar hesabı kilitler. Bağlantı 7 gün boyunca bir kez çalışır.",
    )])
    .action(
        pick(l, "This was not me: undo and lock my account", "Das war ich nicht: rückgängig machen und Konto sperren", "Ce n’était pas moi : annuler et verrouiller mon compte", "Bu ben değildim: geri al ve hesabımı kilitle"),
        undo_link,
    )
    .into_mail(
        "address_changed_old",
        MailClass::Security,
        to,
        pick(l, "Your Strongroom email address was changed", "Ihre Strongroom-E-Mail-Adresse wurde geändert", "Votre adresse e-mail Strongroom a été modifiée", "Strongroom e-posta adresiniz değiştirildi"),
    )
}

pub fn address_changed_new(language: Language, to: &EmailAddress, settings_url: &str) -> OutgoingMail {
    notice(language, to, &Notice::AddressChangedNew, settings_url)
}

pub fn invitation(
    language: Language,
    to: &EmailAddress,
    inviter: &EmailAddress,
    workspace: &str,
    link: &str,
) -> OutgoingMail {
    let l = language;
    let (first, subject) = match l {
        Language::En => (
            format!("{inviter} invites you to the workspace “{workspace}” on Strongroom."),
            format!("Invitation to {workspace} on Strongroom"),
        ),
        Language::De => (
            format!("{inviter} lädt Sie in den Arbeitsbereich „{workspace}“ auf Strongroom ein."),
            format!("Einladung zu {workspace} auf Strongroom"),
        ),
        Language::Fr => (
            format!("{inviter} vous invite à rejoindre l’espace de travail « {workspace} » sur Strongroom."),
            format!("Invitation à {workspace} sur Strongroom"),
        ),
        Language::Tr => (
            format!("{inviter} sizi Strongroom’daki “{workspace}” çalışma alanına davet ediyor."),
            format!("Strongroom’da {workspace} çalışma alanına davet"),
        ),
    };
    Body::new(l, &[&first, pick(
        l,
        "Open the link to accept. If you have no account yet, you can create one with this address first. The invitation is valid for 7 days and works only for this address.",
        "Öffnen Sie den Link, um die Einladung anzunehmen. Falls Sie noch kein Konto haben, können Sie zuerst eines mit dieser Adresse erstellen. Die Einladung ist 7 Tage gültig und gilt nur für diese Adresse.",
        "Ouvrez le lien pour accepter. Si vous n’avez pas encore de compte, vous pouvez d’abord en créer un avec cette adresse. L’invitation est valable 7 jours et ne fonctionne que pour cette adresse.",
        "Kabul etmek için bağlantıyı açın. Henüz bir hesabınız yoksa önce bu adresle bir hesap oluşturabilirsiniz. Davet 7 gün geçerlidir ve yalnızca bu adres için çalışır.",
    )])
    .action(pick(l, "Accept the invitation", "Einladung annehmen", "Accepter l’invitation", "Daveti kabul et"), link)
    .into_mail("invitation", MailClass::Bulk, to, &subject)
}

pub fn approval_needed(
    language: Language,
    to: &EmailAddress,
    requester: &EmailAddress,
    workspace: &str,
    number: i64,
    title: &str,
    link: &str,
) -> OutgoingMail {
    let l = language;
    let (line, subject) = match l {
        Language::En => (
            format!("{requester} asks for approval of purchase request {number} “{title}” in {workspace}."),
            format!("Approval needed: request {number}"),
        ),
        Language::De => (
            format!("{requester} bittet um Genehmigung der Bestellanforderung {number} „{title}“ in {workspace}."),
            format!("Genehmigung erforderlich: Anforderung {number}"),
        ),
        Language::Fr => (
            format!("{requester} demande l’approbation de la demande d’achat {number} « {title} » dans {workspace}."),
            format!("Approbation requise : demande {number}"),
        ),
        Language::Tr => (
            format!(
                "{requester}, {workspace} içindeki {number} numaralı “{title}” satın alma talebi için onay istiyor."
            ),
            format!("Onay gerekiyor: talep {number}"),
        ),
    };
    Body::new(l, &[&line])
        .action(pick(l, "Review the request", "Anforderung prüfen", "Examiner la demande", "Talebi inceleyin"), link)
        .into_mail("approval_needed", MailClass::Bulk, to, &subject)
}

/// How a purchase request was decided, for [`request_decided`].
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    pub approved: bool,
    /// The approver's comment (may be empty).
    pub comment: &'a str,
}

pub fn request_decided(
    language: Language,
    to: &EmailAddress,
    workspace: &str,
    number: i64,
    title: &str,
    decision: Decision<'_>,
    link: &str,
) -> OutgoingMail {
    let l = language;
    let Decision { approved, comment } = decision;
    let (line, subject) = match (l, approved) {
        (Language::En, true) => (
            format!("Your purchase request {number} “{title}” in {workspace} was approved."),
            format!("Request {number} was approved"),
        ),
        (Language::En, false) => (
            format!("Your purchase request {number} “{title}” in {workspace} was denied."),
            format!("Request {number} was denied"),
        ),
        (Language::De, true) => (
            format!("Ihre Bestellanforderung {number} „{title}“ in {workspace} wurde genehmigt."),
            format!("Anforderung {number} wurde genehmigt"),
        ),
        (Language::De, false) => (
            format!("Ihre Bestellanforderung {number} „{title}“ in {workspace} wurde abgelehnt."),
            format!("Anforderung {number} wurde abgelehnt"),
        ),
        (Language::Fr, true) => (
            format!("Votre demande d’achat {number} « {title} » dans {workspace} a été approuvée."),
            format!("La demande {number} a été approuvée"),
        ),
        (Language::Fr, false) => (
            format!("Votre demande d’achat {number} « {title} » dans {workspace} a été refusée."),
            format!("La demande {number} a été refusée"),
        ),
        (Language::Tr, true) => (
            format!("{workspace} içindeki {number} numaralı “{title}” satın alma talebiniz onaylandı."),
            format!("{number} numaralı talep onaylandı"),
        ),
        (Language::Tr, false) => (
            format!("{workspace} içindeki {number} numaralı “{title}” satın alma talebiniz reddedildi."),
            format!("{number} numaralı talep reddedildi"),
        ),
    };
    let mut lines = vec![line];
    if !comment.is_empty() {
        lines.push(format!("{} {comment}", pick(l, "Comment:", "Kommentar:", "Commentaire :", "Yorum:")));
    }
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    Body::new(l, &lines)
        .action(pick(l, "Open the request", "Anforderung öffnen", "Ouvrir la demande", "Talebi açın"), link)
        .into_mail("request_decided", MailClass::Bulk, to, &subject)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Free text that users choose (workspace names, request titles, decision comments) and links reach
    /// the HTML body escaped and the text body unchanged.
    #[test]
    /// Proves: WEB6, UX4
    fn user_data_is_escaped_in_html_but_kept_in_text() {
        let to = EmailAddress::parse("a@example.com").unwrap();
        let hostile = "<b onmouseover=\"x()\">Acme & 'Co'</b>";
        let escaped = "&lt;b onmouseover=&quot;x()&quot;&gt;Acme &amp; &#39;Co&#39;&lt;/b&gt;";
        let mails = [
            invitation(Language::En, &to, &to, hostile, "https://s.example/invitations/accept?token=a&b"),
            approval_needed(Language::En, &to, &to, hostile, 7, hostile, "https://s.example/r?x=1&y=2"),
            request_decided(
                Language::En,
                &to,
                hostile,
                7,
                hostile,
                Decision { approved: false, comment: hostile },
                "https://s.example/r?x=1&y=2",
            ),
        ];
        for mail in &mails {
            assert!(mail.text.contains(hostile), "{}: text keeps the words as typed", mail.kind);
            assert!(mail.html.contains(escaped), "{}: the user's words reach the HTML, escaped", mail.kind);
            assert!(
                !mail.html.contains("<b ") && !mail.html.contains("</b>"),
                "{}: no tag from user data: {}",
                mail.kind,
                mail.html
            );
            assert!(!mail.html.contains("&y=") && !mail.html.contains("&b\""), "{}: links escaped", mail.kind);
        }
        // The subject (the HTML title) carries the workspace name too.
        assert!(mails[0].subject.contains(hostile));
        assert!(mails[0].html.contains(&format!("<title>Invitation to {escaped} on Strongroom</title>")));
        assert_eq!(escape_html("<script>'\"&"), "&lt;script&gt;&#39;&quot;&amp;");
    }

    #[test]
    fn sign_in_codes_stay_out_of_the_subject() {
        let to = EmailAddress::parse("a@example.com").unwrap();
        let mail = sign_in_code(Language::En, &to, "493017");
        assert!(mail.text.contains("493017") && mail.html.contains("493017"));
        assert!(!mail.subject.contains("493017"), "{}", mail.subject);
    }

    #[test]
    fn workspace_mail_is_bulk_and_account_mail_is_security() {
        let to = EmailAddress::parse("a@example.com").unwrap();
        assert_eq!(invitation(Language::En, &to, &to, "W", "L").class, MailClass::Bulk);
        assert_eq!(approval_needed(Language::En, &to, &to, "W", 1, "T", "L").class, MailClass::Bulk);
        assert_eq!(
            request_decided(Language::En, &to, "W", 1, "T", Decision { approved: true, comment: "" }, "L").class,
            MailClass::Bulk
        );
        for mail in [
            verify_address(Language::En, &to, "L"),
            password_reset(Language::En, &to, "L"),
            sign_in_code(Language::En, &to, "1"),
            confirm_new_address(Language::En, &to, "L"),
        ] {
            assert_eq!(mail.class, MailClass::Security, "{}", mail.kind);
        }
    }

    /// One of every mail we send, written in `language`.
    fn every_mail(language: Language) -> Vec<OutgoingMail> {
        let to = EmailAddress::parse("a@example.com").unwrap();
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let notices = [
            Notice::PasswordReset { authenticator_removed: true },
            Notice::PasswordChanged,
            Notice::WrongSecondFactor,
            Notice::NewDeviceSignIn { browser: "Firefox".into(), at, ip: "192.0.2.1".into() },
            Notice::TotpEnabled,
            Notice::TotpDisabled,
            Notice::RecoveryCodeUsed,
        ];
        let mut mails = vec![
            verify_address(language, &to, "L"),
            sign_up_attempt_for_existing_account(language, &to, "S", "R"),
            password_reset(language, &to, "L"),
            sign_in_code(language, &to, "123456"),
            confirm_new_address(language, &to, "L"),
            address_changed_old(language, &to, &to, "L"),
            address_changed_new(language, &to, "L"),
            invitation(language, &to, &to, "W", "L"),
            approval_needed(language, &to, &to, "W", 1, "T", "L"),
            request_decided(language, &to, "W", 1, "T", Decision { approved: true, comment: "C" }, "L"),
            request_decided(language, &to, "W", 1, "T", Decision { approved: false, comment: "C" }, "L"),
            super::super::billing_mail::payment_failed(language, &to, "W", "L"),
            super::super::billing_mail::cancelled(language, &to, "W", "L"),
        ];
        mails.extend(notices.iter().map(|n| notice(language, &to, n, "L")));
        mails
    }

    #[test]
    /// Proves: UX4
    fn every_mail_has_both_bodies() {
        for language in Language::ALL {
            for mail in every_mail(language) {
                assert!(!mail.text.is_empty() && mail.html.starts_with("<!DOCTYPE html>"), "{}", mail.kind);
            }
        }
    }

    #[test]
    /// Proves: UX3, UX4
    fn every_mail_is_written_in_its_language_and_says_so() {
        let english = every_mail(Language::En);
        for language in Language::ALL {
            for (mail, in_english) in every_mail(language).iter().zip(&english) {
                assert_eq!(mail.language, language, "{}", mail.kind);
                let lang = format!("<html lang=\"{}\">", language.as_str());
                assert!(mail.html.contains(&lang), "{}: {}", mail.kind, mail.html);
                if language != Language::En {
                    assert_ne!(mail.subject, in_english.subject, "{} {language:?}: subject left in English", mail.kind);
                    assert_ne!(mail.text, in_english.text, "{} {language:?}: text left in English", mail.kind);
                }
            }
        }
    }
}
