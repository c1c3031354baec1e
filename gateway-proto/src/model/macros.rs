//! The two enum shapes the model repeats: integer codes and string names, each with an
//! `Unknown` arm so a value Discord adds later never breaks parsing.
//!
//! This file owns only the macros; the enums themselves live with the objects that use them.

/// An enum over Discord's integer codes, serialized as the number.
///
/// Every listed variant maps to one code; any other code becomes `Unknown(code)` and serializes
/// back to the same number. `Unknown` holding a listed code is never produced by parsing.
macro_rules! int_enum {
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident: $repr:ty {
            $(
                $(#[doc = $vdoc:literal])*
                $variant:ident = $value:literal,
            )*
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                $(#[doc = $vdoc])*
                $variant,
            )*
            /// A code protocol.md does not list, kept as received.
            Unknown($repr),
        }

        impl $name {
            /// The number Discord uses.
            pub const fn code(self) -> $repr {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(code) => code,
                }
            }

            /// The variant for a number; codes not listed become `Unknown`.
            pub const fn from_code(code: $repr) -> Self {
                match code {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&self.code(), serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <$repr as serde::Deserialize>::deserialize(deserializer).map(Self::from_code)
            }
        }
    };
}

/// An enum over Discord's string names, serialized as the name.
///
/// Any other name becomes `Unknown(name)` and serializes back to the same text.
macro_rules! str_enum {
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident {
            $(
                $(#[doc = $vdoc:literal])*
                $variant:ident = $value:literal,
            )*
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                $(#[doc = $vdoc])*
                $variant,
            )*
            /// A name protocol.md does not list, kept as received.
            Unknown(Box<str>),
        }

        impl $name {
            /// The name Discord uses.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(name) => name,
                }
            }

            /// The variant for a name; names not listed become `Unknown`.
            pub fn from_name(name: &str) -> Self {
                match name {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other.into()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct NameVisitor;

                impl serde::de::Visitor<'_> for NameVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }

                    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<$name, E> {
                        Ok($name::from_name(name))
                    }
                }

                deserializer.deserialize_str(NameVisitor)
            }
        }
    };
}
