import { eq } from 'drizzle-orm';
import { addDays, addYears, chinaToday, type IsoDate } from '../../domain/dates.ts';
import { idCheckDigit } from '../../domain/idNumber.ts';
import { PROVINCES } from '../../domain/regions.ts';
import type { Database, Executor } from '../db/client.ts';
import {
  certificateCategories,
  certificates,
  contacts,
  issuingAuthorities,
  provinces,
  seedRuns,
  staff,
  users,
} from '../db/schema.ts';
import { userIdNumberColumns, userPhoneColumns } from '../auth/accounts.ts';
import { certificateNumberColumns, holderIdNumberColumns } from '../registry/certificates.ts';
import { hashPassword } from '../staff/passwords.ts';
import { SEALED, type SecretBox } from '../secrets/secretBox.ts';

/**
 * Demo data. People and scripts rely on it (README, browser tests), so it is fixed: the same phones,
 * ID numbers, names and staff accounts every time. Certificate dates are set relative to the day of
 * seeding so "valid", "in grace" and "expired" mean what they say when someone tries the system.
 */
export const DEMO_PASSWORD = 'Demo-2026!';
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
const SEED_NAME = 'demo-v1';

export const demoStaff = [
  { username: 'bj-handler', displayName: '北京受理员', role: 'handler', provinceCode: '11' },
  { username: 'bj-reviewer', displayName: '北京审核员', role: 'reviewer', provinceCode: '11' },
  { username: 'bj-admin', displayName: '北京管理员', role: 'province_admin', provinceCode: '11' },
  { username: 'sh-handler', displayName: '上海受理员', role: 'handler', provinceCode: '31' },
  { username: 'sh-reviewer', displayName: '上海审核员', role: 'reviewer', provinceCode: '31' },
  { username: 'sh-admin', displayName: '上海管理员', role: 'province_admin', provinceCode: '31' },
  { username: 'sys-admin', displayName: '系统管理员', role: 'system_admin', provinceCode: null },
] as const;

type CategoryPlan = { code: string; qualifiers?: string[]; validity: 'valid' | 'renewal_window' | 'grace' | 'expired' | 'cancelled' };

interface DemoPerson {
  name: string;
  sex: 'M' | 'F';
  birthDate: IsoDate;
  regionCode: string;
  sequence: string;
  ethnicity: string;
  address: string;
  /** Null: a registry record that no account has claimed yet. */
  phone: string | null;
  verified: boolean;
  quasiDrivingType: string;
  serviceUnit: string;
  categories: CategoryPlan[];
}

/** The 18-digit number of a demo person, with its real check digit. */
export function demoIdNumber(person: Pick<DemoPerson, 'regionCode' | 'birthDate' | 'sequence' | 'sex'>): string {
  const sexDigit = person.sex === 'M' ? '1' : '2';
  const first17 = `${person.regionCode}${person.birthDate.replaceAll('-', '')}${person.sequence}${sexDigit}`;
  return first17 + idCheckDigit(first17);
}

export const demoPeople: DemoPerson[] = [
  { name: '王建国', sex: 'M', birthDate: '1985-03-12', regionCode: '110105', sequence: '00', ethnicity: '汉', address: '北京市朝阳区建国路88号', phone: '13800000001', verified: true, quasiDrivingType: 'A2', serviceUnit: '北京顺通物流有限公司', categories: [{ code: 'freight_driver', validity: 'renewal_window' }, { code: 'passenger_driver', validity: 'valid' }] },
  { name: '李秀英', sex: 'F', birthDate: '1988-07-21', regionCode: '310104', sequence: '01', ethnicity: '汉', address: '上海市徐汇区漕溪北路100号', phone: '13800000002', verified: true, quasiDrivingType: 'A1', serviceUnit: '上海巴士第一公共交通有限公司', categories: [{ code: 'passenger_driver', validity: 'valid' }] },
  { name: '张伟', sex: 'M', birthDate: '1979-11-02', regionCode: '440106', sequence: '02', ethnicity: '汉', address: '广东省广州市天河区体育西路20号', phone: '13800000003', verified: true, quasiDrivingType: 'A2', serviceUnit: '广州危化运输有限公司', categories: [{ code: 'dg_driver', qualifiers: ['highly_toxic'], validity: 'valid' }, { code: 'freight_driver', validity: 'valid' }] },
  { name: '刘洋', sex: 'M', birthDate: '1990-01-30', regionCode: '320102', sequence: '03', ethnicity: '汉', address: '江苏省南京市玄武区中山路1号', phone: '13800000004', verified: true, quasiDrivingType: 'B2', serviceUnit: '南京安达运输有限公司', categories: [{ code: 'freight_driver', validity: 'renewal_window' }] },
  { name: '陈静', sex: 'F', birthDate: '1992-05-18', regionCode: '510104', sequence: '04', ethnicity: '汉', address: '四川省成都市锦江区春熙路5号', phone: '13800000005', verified: true, quasiDrivingType: 'C1', serviceUnit: '成都出租汽车有限公司', categories: [{ code: 'taxi_cruising', validity: 'valid' }] },
  { name: '杨帆', sex: 'M', birthDate: '1987-09-09', regionCode: '330106', sequence: '05', ethnicity: '汉', address: '浙江省杭州市西湖区文三路66号', phone: '13800000006', verified: true, quasiDrivingType: 'C1', serviceUnit: '杭州网约车服务有限公司', categories: [{ code: 'taxi_ride_hailing', validity: 'valid' }] },
  { name: '赵磊', sex: 'M', birthDate: '1975-12-25', regionCode: '110108', sequence: '06', ethnicity: '满', address: '北京市海淀区中关村大街27号', phone: '13800000007', verified: true, quasiDrivingType: 'A2', serviceUnit: '北京危险品运输有限公司', categories: [{ code: 'dg_loader', validity: 'grace' }] },
  { name: '黄丽', sex: 'F', birthDate: '1983-04-04', regionCode: '310115', sequence: '07', ethnicity: '汉', address: '上海市浦东新区世纪大道200号', phone: '13800000008', verified: true, quasiDrivingType: 'B2', serviceUnit: '上海化工物流有限公司', categories: [{ code: 'dg_escort', qualifiers: ['explosives'], validity: 'valid' }] },
  { name: '周强', sex: 'M', birthDate: '1970-06-15', regionCode: '440304', sequence: '08', ethnicity: '汉', address: '广东省深圳市福田区深南大道3000号', phone: '13800000009', verified: true, quasiDrivingType: 'A1', serviceUnit: '深圳东部公交有限公司', categories: [{ code: 'passenger_driver', validity: 'expired' }] },
  { name: '吴敏', sex: 'F', birthDate: '1986-08-08', regionCode: '320505', sequence: '09', ethnicity: '汉', address: '江苏省苏州市虎丘区狮山路9号', phone: '13800000010', verified: true, quasiDrivingType: 'A2', serviceUnit: '苏州港运物流有限公司', categories: [{ code: 'freight_driver', validity: 'cancelled' }] },
  { name: '徐刚', sex: 'M', birthDate: '1981-02-14', regionCode: '510107', sequence: '10', ethnicity: '彝', address: '四川省成都市武侯区人民南路4段', phone: '13800000011', verified: true, quasiDrivingType: 'A2', serviceUnit: '四川川运物流有限公司', categories: [{ code: 'dg_driver', qualifiers: ['radioactive'], validity: 'valid' }, { code: 'dg_escort', validity: 'valid' }] },
  { name: '孙婷', sex: 'F', birthDate: '1995-10-01', regionCode: '330102', sequence: '11', ethnicity: '汉', address: '浙江省杭州市上城区解放路18号', phone: '13800000012', verified: true, quasiDrivingType: 'C1', serviceUnit: '杭州大众出租汽车有限公司', categories: [{ code: 'taxi_cruising', validity: 'grace' }] },
  { name: '马超', sex: 'M', birthDate: '1984-03-03', regionCode: '110106', sequence: '12', ethnicity: '回', address: '北京市丰台区丰台路30号', phone: '13800000013', verified: true, quasiDrivingType: 'A1', serviceUnit: '北京长途客运有限公司', categories: [{ code: 'passenger_driver', validity: 'valid' }, { code: 'freight_driver', validity: 'valid' }] },
  { name: '朱红', sex: 'F', birthDate: '1989-12-12', regionCode: '310106', sequence: '13', ethnicity: '汉', address: '上海市静安区南京西路1000号', phone: '13800000014', verified: true, quasiDrivingType: 'C1', serviceUnit: '上海强生出租汽车有限公司', categories: [{ code: 'taxi_cruising', validity: 'valid' }, { code: 'taxi_ride_hailing', validity: 'valid' }] },
  { name: '胡军', sex: 'M', birthDate: '1978-07-07', regionCode: '440104', sequence: '14', ethnicity: '壮', address: '广东省广州市越秀区环市东路8号', phone: '13800000015', verified: true, quasiDrivingType: 'B2', serviceUnit: '广州港集团运输公司', categories: [{ code: 'dg_loader', validity: 'valid' }] },
  { name: '郭鹏', sex: 'M', birthDate: '1991-11-11', regionCode: '320106', sequence: '15', ethnicity: '汉', address: '江苏省南京市鼓楼区北京西路7号', phone: '13800000016', verified: true, quasiDrivingType: 'A2', serviceUnit: '江苏苏运危货运输公司', categories: [{ code: 'dg_driver', validity: 'expired' }] },
  { name: '林芳', sex: 'F', birthDate: '1993-02-28', regionCode: '510105', sequence: '16', ethnicity: '汉', address: '四川省成都市青羊区西御街3号', phone: '13800000017', verified: true, quasiDrivingType: 'A1', serviceUnit: '成都公交集团', categories: [{ code: 'passenger_driver', validity: 'renewal_window' }] },
  { name: '何涛', sex: 'M', birthDate: '1982-09-19', regionCode: '330105', sequence: '17', ethnicity: '汉', address: '浙江省杭州市拱墅区莫干山路50号', phone: '13800000018', verified: true, quasiDrivingType: 'A2', serviceUnit: '浙江物产物流有限公司', categories: [{ code: 'freight_driver', validity: 'valid' }] },
  { name: '高燕', sex: 'F', birthDate: '1980-05-05', regionCode: '110102', sequence: '18', ethnicity: '汉', address: '北京市西城区金融大街15号', phone: '13800000019', verified: false, quasiDrivingType: 'C1', serviceUnit: '北京首汽出租汽车有限公司', categories: [{ code: 'taxi_cruising', validity: 'valid' }] },
  { name: '罗斌', sex: 'M', birthDate: '1976-01-20', regionCode: '310110', sequence: '19', ethnicity: '汉', address: '上海市杨浦区四平路1239号', phone: '13800000020', verified: true, quasiDrivingType: 'A2', serviceUnit: '上海港物流有限公司', categories: [{ code: 'freight_driver', validity: 'valid' }, { code: 'dg_driver', validity: 'grace' }] },
  // Registry records whose holders have no account yet: real-name authentication links them.
  { name: '郑晓明', sex: 'M', birthDate: '1986-06-16', regionCode: '110105', sequence: '31', ethnicity: '汉', address: '北京市朝阳区望京西路50号', phone: null, verified: false, quasiDrivingType: 'A2', serviceUnit: '北京京运物流有限公司', categories: [{ code: 'freight_driver', validity: 'valid' }] },
  { name: '谢雨欣', sex: 'F', birthDate: '1994-09-27', regionCode: '310104', sequence: '32', ethnicity: '汉', address: '上海市徐汇区天钥桥路333号', phone: null, verified: false, quasiDrivingType: 'C1', serviceUnit: '上海大众出租汽车有限公司', categories: [{ code: 'taxi_cruising', validity: 'valid' }] },
  { name: '韩志强', sex: 'M', birthDate: '1980-12-03', regionCode: '440106', sequence: '33', ethnicity: '汉', address: '广东省广州市天河区黄埔大道西100号', phone: null, verified: false, quasiDrivingType: 'A1', serviceUnit: '广州市第一巴士有限公司', categories: [{ code: 'passenger_driver', validity: 'valid' }] },
];

/** Authority names as the provinces style them; municipalities have a transport commission. */
function authorityName(province: { code: string; zh: string; en: string }): { zh: string; en: string } {
  const commissions: Record<string, string> = { '11': '北京市交通委员会', '31': '上海市交通委员会', '12': '天津市交通运输委员会', '50': '重庆市交通运输委员会' };
  const zh = commissions[province.code] ?? (province.code === '66' ? '新疆生产建设兵团交通运输局' : `${province.zh}交通运输厅`);
  return { zh, en: `${province.en} Transport Authority` };
}

function plannedDates(plan: CategoryPlan, today: IsoDate, index: number) {
  // Six-year validity; spread first-issue dates so credit cycles differ between people.
  const validFrom = {
    valid: addDays(addYears(today, -2), -37 * index),
    renewal_window: addDays(addYears(today, -6), 20),
    grace: addDays(addYears(today, -6), -60),
    expired: addDays(addYears(today, -6), -400),
    cancelled: addYears(today, -3),
  }[plan.validity];
  const validTo = addDays(addYears(validFrom, 6), -1);
  return {
    firstIssueDate: addYears(validFrom, -6),
    validFrom,
    validTo,
    cancelledAt: plan.validity === 'cancelled' ? addDays(today, -90) : null,
    cancelReason: plan.validity === 'cancelled' ? 'holder_request' : null,
  };
}

/**
 * Long-distance area codes (长途区号) of the city where each provincial transport authority sits; the
 * transport service line 12328 is dialled behind it, so 拨打 reaches that province and no other.
 */
export const PROVINCE_AREA_CODES: Readonly<Record<string, string>> = {
  '11': '010', '12': '022', '13': '0311', '14': '0351', '15': '0471', '21': '024', '22': '0431', '23': '0451',
  '31': '021', '32': '025', '33': '0571', '34': '0551', '35': '0591', '36': '0791', '37': '0531', '41': '0371',
  '42': '027', '43': '0731', '44': '020', '45': '0771', '46': '0898', '50': '023', '51': '028', '52': '0851',
  '53': '0871', '54': '0891', '61': '029', '62': '0931', '63': '0971', '64': '0951', '65': '0991', '66': '0991',
};

/** Office hours of the provincial service windows: working days, with the usual lunch break. */
const OFFICE_HOURS = '工作日 9:00–12:00，13:30–17:00（法定节假日除外）';
/** Named people where the demo provinces enter one (the other provinces list the office only). */
const OFFICE_HOURS_EN = 'Working days 9:00–12:00 and 13:30–17:00 (closed on public holidays)';
const CONTACT_PERSONS: Readonly<Record<string, { zh: string; en: string }>> = {
  '11': { zh: '张老师（从业资格业务经办）', en: 'Mr Zhang (qualification certificates)' },
  '31': { zh: '李老师（从业资格业务经办）', en: 'Ms Li (qualification certificates)' },
};

function provinceContacts(province: { code: string }, authority: { zh: string; en: string }) {
  const areaCode = PROVINCE_AREA_CODES[province.code];
  if (!areaCode) throw new Error(`no area code for province ${province.code}`);
  const person = CONTACT_PERSONS[province.code];
  return [
    {
      provinceCode: province.code,
      name: `${authority.zh} 从业资格业务窗口`,
      title: person?.zh ?? '',
      phone: `${areaCode}-12328`,
      hours: OFFICE_HOURS,
      nameEn: `${authority.en}, qualification certificate desk`,
      titleEn: person?.en ?? '',
      hoursEn: OFFICE_HOURS_EN,
      sortOrder: 1,
    },
    {
      provinceCode: province.code,
      name: '12345政务服务便民热线',
      title: '',
      phone: `${areaCode}-12345`,
      hours: '全天24小时',
      nameEn: '12345 government service hotline',
      titleEn: '',
      hoursEn: '24 hours a day',
      sortOrder: 2,
    },
  ];
}

export interface SeedResult {
  created: boolean;
}

/** Writes the demo data once; later calls change nothing. */
export async function seedDemoData(db: Database, secrets: SecretBox, now: Date = new Date()): Promise<SeedResult> {
  const [done] = await db.select().from(seedRuns).where(eq(seedRuns.name, SEED_NAME));
  if (done) return { created: false };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const today = chinaToday(now);
  await db.transaction(async (tx) => {
    await seedProvinces(tx);
    await seedPeople(tx, today);
    for (const member of demoStaff) {
      await tx.insert(staff).values({ ...member, passwordHash, totpSecret: secrets.seal(SEALED.totpSecret, DEMO_TOTP_SECRET) }).onConflictDoNothing();
    }
    await tx.insert(seedRuns).values({ name: SEED_NAME });
  });
  return { created: true };
}

async function seedProvinces(tx: Executor): Promise<void> {
  for (const province of PROVINCES) {
    await tx.insert(provinces).values({ code: province.code, nameZh: province.zh, nameEn: province.en }).onConflictDoNothing();
    const name = authorityName(province);
    await tx
      .insert(issuingAuthorities)
      .values({ code: `${province.code}0000`, provinceCode: province.code, nameZh: name.zh, nameEn: name.en })
      .onConflictDoNothing();
    await tx.insert(contacts).values(provinceContacts(province, name)).onConflictDoNothing();
  }
}

async function seedPeople(tx: Executor, today: IsoDate): Promise<void> {
  for (const [index, person] of demoPeople.entries()) {
    const idNumber = demoIdNumber(person);
    const provinceCode = person.regionCode.slice(0, 2);
    if (person.phone) {
      await tx
        .insert(users)
        .values({
          ...userPhoneColumns(person.phone),
          ...(person.verified
            ? {
                verifiedAt: new Date(`${addDays(today, -30)}T02:00:00Z`),
                ...userIdNumberColumns(idNumber),
                name: person.name,
                sex: person.sex,
                ethnicity: person.ethnicity,
                birthDate: person.birthDate,
                address: person.address,
                provinceCode,
              }
            : {}),
        })
        .onConflictDoNothing();
    }
    const [certificate] = await tx
      .insert(certificates)
      .values({
        // Usually the holder's ID number; one demo certificate shows that it need not be.
        ...certificateNumberColumns(index === 12 ? `${provinceCode}2019${String(index).padStart(8, '0')}` : idNumber),
        ...holderIdNumberColumns(idNumber),
        holderName: person.name,
        sex: person.sex,
        birthDate: person.birthDate,
        address: person.address,
        fileNumber: `${provinceCode}${String(100000 + index * 7919).padStart(10, '0')}`,
        quasiDrivingType: person.quasiDrivingType,
        issuingAuthorityCode: `${provinceCode}0000`,
        provinceCode,
        serviceUnit: person.serviceUnit,
      })
      .returning({ id: certificates.id });
    if (!certificate) continue;
    for (const plan of person.categories) {
      await tx.insert(certificateCategories).values({
        certificateId: certificate.id,
        code: plan.code,
        qualifiers: plan.qualifiers ?? [],
        ...plannedDates(plan, today, index),
      });
    }
  }
}

export function demoAccountsSummary(): string {
  const drivers = demoPeople.filter((person) => person.phone);
  return [
    'Demo accounts (development only):',
    `  Driver ${drivers[0]!.phone} — verified, Beijing, eligible for every business (freight driver due for renewal, passenger driver valid);`,
    `  log in with the SMS code`,
    `  from the console log or GET /api/v1/dev/sms-outbox?phone=${drivers[0]!.phone}`,
    `  Drivers ${drivers[1]!.phone}…${drivers.at(-1)!.phone} in other provinces (see README)`,
    `  Staff ${demoStaff.map((member) => member.username).join(', ')}`,
    `    password ${DEMO_PASSWORD}   TOTP secret ${DEMO_TOTP_SECRET}`,
  ].join('\n');
}
