//! The mails billing sends to a workspace's administrators (PAY1): a payment that failed and a
//! subscription that was cancelled, in the recipient's language (UX3). Kept apart from
//! [`super::templates`] (the account and workspace mails) so that each file stays about one thing; both
//! are built from the same [`Body`].

use super::templates::{Body, pick};
use super::{Language, MailClass, OutgoingMail};
use model::EmailAddress;

/// The latest payment did not go through: the workspace keeps working for the grace period, then
/// becomes read-only; nothing is deleted.
pub fn payment_failed(language: Language, to: &EmailAddress, workspace: &str, link: &str) -> OutgoingMail {
    let l = language;
    let (first, subject) = match l {
        Language::En => (
            format!("The latest payment for the workspace “{workspace}” on Strongroom did not go through."),
            format!("Payment failed for {workspace}"),
        ),
        Language::De => (
            format!("Die letzte Zahlung für den Arbeitsbereich „{workspace}“ auf Strongroom ist fehlgeschlagen."),
            format!("Zahlung für {workspace} fehlgeschlagen"),
        ),
        Language::Fr => (
            format!("Le dernier paiement de l’espace de travail « {workspace} » sur Strongroom n’a pas abouti."),
            format!("Échec du paiement pour {workspace}"),
        ),
        Language::Tr => (
            format!("Strongroom’daki “{workspace}” çalışma alanının son ödemesi gerçekleşmedi."),
            format!("{workspace} için ödeme başarısız oldu"),
        ),
    };
    let second = pick(
        l,
        "The workspace keeps working during a grace period; after it, it becomes read-only until the payment is made. Nothing is deleted. An administrator can update the card or pay on the workspace's billing page.",
        "Der Arbeitsbereich funktioniert während einer Kulanzfrist weiter; danach ist er nur noch lesbar, bis die Zahlung erfolgt ist. Es wird nichts gelöscht. Eine Administratorin oder ein Administrator kann auf der Abrechnungsseite des Arbeitsbereichs die Karte ändern oder bezahlen.",
        "L’espace de travail continue de fonctionner pendant un délai de grâce ; ensuite, il passe en lecture seule jusqu’au paiement. Rien n’est supprimé. Un administrateur peut modifier la carte ou payer sur la page de facturation de l’espace de travail.",
        "Çalışma alanı bir ek süre boyunca çalışmaya devam eder; bu sürenin sonunda ödeme yapılana kadar salt okunur olur. Hiçbir şey silinmez. Bir yönetici, çalışma alanının faturalandırma sayfasında kartı güncelleyebilir veya ödeme yapabilir.",
    );
    Body::new(l, &[&first, second])
        .action(pick(l, "Open Strongroom", "Strongroom öffnen", "Ouvrir Strongroom", "Strongroom’u açın"), link)
        .into_mail("billing_payment_failed", MailClass::Bulk, to, &subject)
}

/// The subscription was cancelled: it stays on its plan to the end of the paid period, then the
/// workspace moves to the free plan; nothing is deleted.
pub fn cancelled(language: Language, to: &EmailAddress, workspace: &str, link: &str) -> OutgoingMail {
    let l = language;
    let (first, subject) = match l {
        Language::En => (
            format!("The subscription of the workspace “{workspace}” on Strongroom was cancelled."),
            format!("Subscription of {workspace} cancelled"),
        ),
        Language::De => (
            format!("Das Abonnement des Arbeitsbereichs „{workspace}“ auf Strongroom wurde gekündigt."),
            format!("Abonnement von {workspace} gekündigt"),
        ),
        Language::Fr => (
            format!("L’abonnement de l’espace de travail « {workspace} » sur Strongroom a été résilié."),
            format!("Abonnement de {workspace} résilié"),
        ),
        Language::Tr => (
            format!("Strongroom’daki “{workspace}” çalışma alanının aboneliği iptal edildi."),
            format!("{workspace} aboneliği iptal edildi"),
        ),
    };
    let second = pick(
        l,
        "It stays on its plan until the end of the paid period, then moves to the free plan. Nothing is deleted. To resume, open the workspace's billing page.",
        "Er behält seinen Tarif bis zum Ende des bezahlten Zeitraums und wechselt danach in den kostenlosen Tarif. Es wird nichts gelöscht. Um das Abonnement fortzusetzen, öffnen Sie die Abrechnungsseite des Arbeitsbereichs.",
        "Il conserve son offre jusqu’à la fin de la période payée, puis passe à l’offre gratuite. Rien n’est supprimé. Pour reprendre l’abonnement, ouvrez la page de facturation de l’espace de travail.",
        "Ödenmiş dönemin sonuna kadar planında kalır, ardından ücretsiz plana geçer. Hiçbir şey silinmez. Aboneliği sürdürmek için çalışma alanının faturalandırma sayfasını açın.",
    );
    Body::new(l, &[&first, second])
        .action(pick(l, "Open Strongroom", "Strongroom öffnen", "Ouvrir Strongroom", "Strongroom’u açın"), link)
        .into_mail("billing_cancelled", MailClass::Bulk, to, &subject)
}
