/** A word list written as one `|`-separated line, so the lists stay readable at a glance. */
const words = (line: string): readonly string[] => line.split('|');

/** The words a generated name is made of: `first [middle] sector suffix`. */
export interface NameWords {
  first: readonly string[];
  middle: readonly string[];
  sector: readonly string[];
  suffix: readonly string[];
}

// Invented words, so a generated company is never mistaken for a real one.
export const US_NAME_WORDS: NameWords = {
  first: words(
    'Northwind|Summit|Pioneer|Atlas|Harbor|Cobalt|Evergreen|Granite|Liberty|Meridian|Redwood|Beacon|Cascade|' +
      'Frontier|Ironwood|Lakeshore|Prairie|Silverline|Keystone|Bluewater|Copperhill|Starboard|Canyon|Bayview',
  ),
  middle: words('Quantum|Digital|Advanced|United|National|Applied|Integrated|Precision'),
  sector: words(
    'Semiconductor|Therapeutics|Energy|Financial|Software|Logistics|Retail|Networks|Materials|Robotics|' +
      'Foods|Aerospace|Health|Water|Media|Insurance',
  ),
  suffix: words('Inc.|Corp.|Holdings|Group|Co.'),
};

export const UK_NAME_WORDS: NameWords = {
  first: words(
    'Albion|Thames|Pennine|Cotswold|Severn|Highland|Mersey|Cheviot|Solent|Tamar|Wessex|Mercia|Kestrel|' +
      'Bramble|Sterling|Britannia|Lomond|Exmoor|Fenland',
  ),
  middle: words('Royal|Northern|Western|Imperial|Anglo'),
  sector: words(
    'Mining|Insurance|Utilities|Telecom|Property|Brewing|Aerospace|Pharma|Retail|Energy|Banking|' +
      'Engineering|Housebuilders|Shipping',
  ),
  suffix: words('plc|Group plc|Holdings plc'),
};

export const JP_NAME_WORDS: NameWords = {
  first: words(
    'Aoba|Hinode|Midori|Kaede|Tsubasa|Hikari|Minato|Sorano|Yamabuki|Shirakawa|Takumi|Wakaba|Ginga|' +
      'Harukaze|Nishiki|Kirameki|Asagiri|Hoshizora',
  ),
  middle: words('Nippon|Tokai|Kansai|Kyushu'),
  sector: words(
    'Electric|Heavy Industries|Chemical|Pharmaceutical|Shoji|Foods|Railway|Steel|Precision|Semiconductor|' +
      'Logistics|Trading|Motor|Optical',
  ),
  suffix: words('Co., Ltd.|Holdings|Corporation'),
};

/** Names of people, for retail accounts. */
export const PERSON_FIRST_NAMES = words(
  'Alex|Sam|Jordan|Priya|Mei|Tomás|Aisha|Lars|Yuki|Chioma|Mateo|Hannah|Ravi|Sofia|Kenji|Noor',
);
export const PERSON_LAST_NAMES = words(
  'Okafor|Lindqvist|Nakamura|Patel|García|Chen|Müller|Haddad|Kowalski|Silva|Brennan|Ito|Adeyemi|Rossi',
);

/** The words of fund names, for professional and institutional accounts. */
export const FUND_WORDS = {
  first: words('Granite|Meridian|Blackthorn|Harbor|Aurora|Sequoia|Ashford|Westbrook|Halcyon|Larkspur'),
  kind: words('Capital|Asset Management|Partners|Investments|Pension Fund|Advisors|Trading'),
  suffix: words('LP|LLC|Ltd|AG|plc'),
};
