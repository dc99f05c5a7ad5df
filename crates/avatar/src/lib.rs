//! Userdesk profile-image pipeline (being written).
