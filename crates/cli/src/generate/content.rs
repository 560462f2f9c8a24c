//! What generated tickets say: topics a real IT desk sees every week, each with the category
//! and group it belongs to, and the phrases of a conversation about it.

use frontline_domain::TicketType;
use rand::Rng;
use rand::rngs::StdRng;

/// One kind of request: where it is filed, who works it, and how it is worded.
pub struct Topic {
    pub category: &'static str,
    pub group: &'static str,
    pub ticket_type: TicketType,
    /// (subject, description) as requesters write them.
    pub requests: &'static [(&'static str, &'static str)],
    /// How often it comes up relative to the others.
    pub weight: u32,
    pub tags: &'static [&'static str],
}

use TicketType::{Incident, Question, ServiceRequest};

pub const TOPICS: &[Topic] = &[
    Topic {
        category: "Network/VPN",
        group: "Network",
        ticket_type: Incident,
        requests: &[
            (
                "VPN drops every few minutes",
                "Since this morning the VPN disconnects every few minutes while I work from home. I restarted the laptop and the router, it still happens.",
            ),
            (
                "Cannot connect to VPN from home",
                "The VPN client says 'connection timed out' at home. It worked last week; in the office everything is fine.",
            ),
            (
                "VPN connected but intranet does not load",
                "The VPN shows connected, but the intranet and the file shares do not open. Internet sites load normally.",
            ),
            (
                "VPN client says certificate expired",
                "When I start the VPN I get a message that the certificate has expired and it will not connect.",
            ),
        ],
        weight: 9,
        tags: &["vpn", "remote-work"],
    },
    Topic {
        category: "Network/Wi-Fi",
        group: "Network",
        ticket_type: Incident,
        requests: &[
            (
                "Wi-Fi in meeting room 4.12 is very slow",
                "The wireless network in meeting room 4.12 is so slow that video calls freeze every few minutes.",
            ),
            (
                "Laptop does not see the office Wi-Fi",
                "My laptop lists the neighbours' networks but not the office Wi-Fi. Colleagues next to me are connected.",
            ),
            (
                "Guest Wi-Fi password not working",
                "Our visitors cannot join the guest Wi-Fi with the password printed at reception.",
            ),
        ],
        weight: 6,
        tags: &["wifi"],
    },
    Topic {
        category: "Access/Password",
        group: "Service Desk",
        ticket_type: ServiceRequest,
        requests: &[
            (
                "Password reset needed",
                "I forgot my password after the holidays and cannot sign in. Could you reset it please?",
            ),
            (
                "Account locked after too many attempts",
                "My account says it is locked after I mistyped the password a few times. Please unlock it.",
            ),
            (
                "Password expired while on holiday",
                "My password expired while I was away and the sign-in page does not let me change it.",
            ),
        ],
        weight: 14,
        tags: &["password"],
    },
    Topic {
        category: "Access/Permissions",
        group: "Identity & Access",
        ticket_type: ServiceRequest,
        requests: &[
            (
                "Need access to the Finance share",
                "I joined the controlling team and need read access to the Finance share. My manager approved it.",
            ),
            (
                "Please add me to the Sales Teams channel",
                "I moved to the sales team and need to be added to their Teams channel and mailing list.",
            ),
            (
                "Read access to the HR folder for new role",
                "In my new role I need read access to the HR policies folder. Approval from HR is attached.",
            ),
            (
                "Remove access of a colleague who left",
                "A colleague left the company on Friday; please remove their access to our team share and mailbox.",
            ),
        ],
        weight: 8,
        tags: &["access"],
    },
    Topic {
        category: "Access/New account",
        group: "Identity & Access",
        ticket_type: ServiceRequest,
        requests: &[
            (
                "New starter on Monday needs an account",
                "A new colleague starts on Monday. Please create an account and a mailbox and add them to the team list.",
            ),
            (
                "Create mailbox for contractor",
                "We have a contractor for three months who needs a mailbox and access to the project share.",
            ),
            (
                "Onboarding: laptop and accounts for new hire",
                "New hire starting on the 1st: needs a laptop, an account, a mailbox and access to the CRM.",
            ),
        ],
        weight: 4,
        tags: &["onboarding"],
    },
    Topic {
        category: "Software/Email",
        group: "Applications",
        ticket_type: Incident,
        requests: &[
            (
                "Outlook keeps asking for my password",
                "Outlook prompts for my password every hour since the update yesterday, and mail only syncs after I type it again.",
            ),
            (
                "Emails stuck in the outbox",
                "Mails I send stay in the outbox and are never delivered. Receiving works fine.",
            ),
            (
                "Shared mailbox not showing in Outlook",
                "The team's shared mailbox disappeared from Outlook this morning; I still have access in the web version.",
            ),
            (
                "Calendar invites arrive twice",
                "Every meeting invitation arrives twice, and accepting one leaves the other in my calendar.",
            ),
        ],
        weight: 10,
        tags: &["outlook"],
    },
    Topic {
        category: "Software/Office",
        group: "Applications",
        ticket_type: Incident,
        requests: &[
            (
                "Excel crashes when opening large files",
                "Excel closes without a message when I open our weekly report (about 80 MB). Smaller files open fine.",
            ),
            (
                "Word document locked for editing by myself",
                "Word says the document is locked for editing by me, although I have no other copy open.",
            ),
            (
                "Teams camera not detected",
                "Teams says no camera was found, but the camera works in other applications.",
            ),
        ],
        weight: 7,
        tags: &[],
    },
    Topic {
        category: "Software/Install",
        group: "Workplace",
        ticket_type: ServiceRequest,
        requests: &[
            (
                "Please install Visio",
                "For the network diagrams of the new project I need Visio on my laptop. Cost centre approval attached.",
            ),
            (
                "Need Python and VS Code for data analysis",
                "I need Python and VS Code installed for the data analysis work in our team.",
            ),
            (
                "Request licence for Adobe Acrobat Pro",
                "I need to edit and sign PDF contracts; could I get an Acrobat Pro licence?",
            ),
        ],
        weight: 6,
        tags: &["software-request"],
    },
    Topic {
        category: "Hardware/Laptop",
        group: "Workplace",
        ticket_type: Incident,
        requests: &[
            (
                "Laptop battery drains in an hour",
                "My laptop battery goes from full to empty in about an hour, even when idle. It is about three years old.",
            ),
            (
                "Laptop will not boot after update",
                "After last night's update the laptop shows the logo and then restarts again and again.",
            ),
            (
                "Keyboard keys stopped working",
                "Several keys on my laptop keyboard (e, r and t) stopped working this morning.",
            ),
            (
                "Blue screen when docking the laptop",
                "Every time I put the laptop in the docking station it shows a blue screen and restarts.",
            ),
        ],
        weight: 8,
        tags: &["laptop"],
    },
    Topic {
        category: "Hardware/Printer",
        group: "Workplace",
        ticket_type: Incident,
        requests: &[
            (
                "Printer on 3rd floor shows paper jam",
                "The printer near the kitchen says paper jam but there is no paper stuck anywhere. Nobody on the floor can print.",
            ),
            (
                "Cannot print to the colour printer",
                "Print jobs to the colour printer stay in the queue with status 'error'. The black and white one works.",
            ),
            (
                "Scanner does not send to email",
                "Scanning to email on the multifunction printer ends with 'sending failed'.",
            ),
        ],
        weight: 6,
        tags: &["printer"],
    },
    Topic {
        category: "Hardware/Monitor",
        group: "Workplace",
        ticket_type: ServiceRequest,
        requests: &[
            (
                "Second monitor for my desk",
                "I would like a second monitor for my desk; the one I have is too small for the spreadsheets I work on.",
            ),
            (
                "Docking station does not drive both screens",
                "Only one of my two screens shows a picture when the laptop is docked.",
            ),
        ],
        weight: 3,
        tags: &[],
    },
    Topic {
        category: "Infrastructure/Server",
        group: "Infrastructure",
        ticket_type: Incident,
        requests: &[
            (
                "ERP is very slow for everyone",
                "Since about 10 minutes the ERP is extremely slow for the whole team; saving an order takes over a minute.",
            ),
            (
                "Intranet returns error 502",
                "The intranet home page shows '502 Bad Gateway' for everyone in our office.",
            ),
            (
                "File server not reachable",
                "The S: drive is not reachable; Explorer says the network path was not found.",
            ),
        ],
        weight: 3,
        tags: &["outage"],
    },
    Topic {
        category: "Infrastructure/Storage",
        group: "Infrastructure",
        ticket_type: ServiceRequest,
        requests: &[
            (
                "Shared drive is full",
                "The team share reports that it is full and we cannot save files. Could the quota be raised or old data archived?",
            ),
            (
                "Restore a deleted folder from backup",
                "I deleted the 2025 budget folder on the team share by mistake yesterday. Can it be restored from backup?",
            ),
        ],
        weight: 3,
        tags: &["storage"],
    },
    Topic {
        category: "Software/Email",
        group: "Service Desk",
        ticket_type: Question,
        requests: &[
            (
                "How do I set an out-of-office reply?",
                "I am on holiday from next week. How do I set an automatic out-of-office reply?",
            ),
            (
                "How can I share my calendar with my assistant?",
                "My new assistant needs to manage my meetings. How do I share my calendar with edit rights?",
            ),
            (
                "Where do I find the company signature template?",
                "Where can I find the official email signature template, and how do I set it up?",
            ),
        ],
        weight: 5,
        tags: &["how-to"],
    },
];

pub const AGENT_REPLIES: &[&str] = &[
    "Thanks for reporting this, I'm looking into it now.",
    "Could you send me a screenshot of the error message and the time it happened?",
    "I have reset it on our side. Could you please try again and let me know if it works?",
    "We are aware of the issue and working on it; I will update you within the hour.",
    "Could you restart the device once and tell me whether the problem persists?",
    "I've scheduled a technician to come by your desk this afternoon.",
    "The change is done. It can take up to 15 minutes to become active.",
];

pub const REQUESTER_REPLIES: &[&str] = &[
    "Thanks, here is the screenshot you asked for.",
    "I tried again and it still does not work.",
    "It works now, thank you very much!",
    "I restarted it twice, same problem.",
    "I'm in the office until 5 pm, feel free to call me.",
];

pub const INTERNAL_NOTES: &[&str] = &[
    "Checked the logs: the same error shows for three other users on that site.",
    "Escalating to tier 2, this looks like the known issue with the last client update.",
    "Account was locked by a stale session on an old phone.",
    "Waiting for the vendor's answer on case 4471.",
    "Reproduced on a test machine; workaround is to clear the cached credentials.",
];

pub const RESOLUTIONS: &[&str] = &[
    "This is fixed now. I'm resolving the ticket; just reply if anything comes back.",
    "Resolved: the configuration was corrected and you confirmed it works.",
    "Access has been granted. Resolving this request.",
    "Replaced the faulty part. Resolving the ticket.",
];

pub const FIRST_NAMES: &[&str] = &[
    "Alice", "Bruno", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kemal", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Samir", "Tara",
    "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoe",
];

pub const LAST_NAMES: &[&str] = &[
    "Adams", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "Lopez", "Meyer", "Novak", "Okafor", "Petrov", "Rossi", "Schmidt",
    "Tanaka", "Varga", "Weber", "Yilmaz",
];

/// (name, email domain): the client companies the desk serves.
pub const ORGANIZATIONS: &[(&str, &str)] = &[
    ("Northwind Traders", "northwind.example"),
    ("Contoso", "contoso.example"),
    ("Fabrikam", "fabrikam.example"),
    ("Tailspin Toys", "tailspin.example"),
];

/// The agent groups: tier 1 first, then the specialist teams.
pub const GROUPS: &[(&str, &str)] = &[
    ("Service Desk", "Tier 1: first contact for every request"),
    ("Network", "Tier 2: VPN, Wi-Fi, firewall"),
    (
        "Workplace",
        "Tier 2: laptops, printers, peripherals, software installs",
    ),
    (
        "Identity & Access",
        "Tier 2: accounts, permissions, directory",
    ),
    (
        "Applications",
        "Tier 2: email, office suite, business applications",
    ),
    ("Infrastructure", "Tier 3: servers, storage, backups"),
];

/// A weighted choice.
pub fn pick<T: Copy>(rng: &mut StdRng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (value, weight) in weighted {
        if roll < *weight {
            return *value;
        }
        roll -= weight;
    }
    weighted[0].0
}
